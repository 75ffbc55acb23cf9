package io.vigil.collector;

import io.vigil.collector.cli.EventTail;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.common.cli.ServiceMain;
import java.time.Duration;
import java.util.Set;

/**
 * {@code vigil-collector run|tail [--config FILE] [--set key=value]... [--insecure]}.
 *
 * <p>{@code run} starts the collector; {@code tail} prints events as the collector stores them.
 * Exit codes: 143 after an orderly stop on SIGTERM (the JVM reports the signal), 1 when start-up
 * failed, 2 for a usage or configuration error (nothing was started).
 */
public final class CollectorMain {
  private static final String USAGE =
      "usage: vigil-collector run|tail [--config FILE] [--set key.path=value]... [--insecure]";

  private CollectorMain() {}

  public static void main(String[] args) {
    ServiceMain.main(
        "vigil-collector",
        USAGE,
        args,
        Set.of("run", "tail"),
        Set.of("--insecure"),
        cli -> CollectorConfig.load(cli.config().file(), System.getenv(), cli.config().sets()),
        (cli, config) -> {
          if (cli.command().equals("tail")) {
            new EventTail(config.store().path(), System.out).follow(20, Duration.ofMillis(500));
          } else {
            ServiceMain.runUntilStopped(Collector.start(config, cli.has("--insecure")));
          }
        });
  }
}
