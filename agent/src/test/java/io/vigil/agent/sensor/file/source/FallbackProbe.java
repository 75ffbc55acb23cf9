package io.vigil.agent.sensor.file.source;

import io.vigil.agent.sensor.file.SourceOpener;
import io.vigil.agent.sensor.file.WatchPlan;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link NotificationSourcesKernelTest}: opens a source for the tree given as
 * argument with fanotify allowed and prints the outcome on one line.
 */
public final class FallbackProbe {
  private FallbackProbe() {}

  public static void main(String[] args) throws Exception {
    WatchPlan plan = new WatchPlan(List.of(Path.of(args[0])), List.of(), List.of(), 100);
    SourceOpener.Opened o = NotificationSources.opener(true).open(plan);
    try (var s = o.source()) {
      System.out.println(s.name() + "|" + o.degraded() + "|" + o.reason());
    }
  }
}
