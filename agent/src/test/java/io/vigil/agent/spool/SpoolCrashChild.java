package io.vigil.agent.spool;

import io.vigil.common.metrics.MetricsRegistry;
import java.nio.file.Path;

/**
 * Run in a separate JVM by {@link SpoolCrashTest}: appends N events, commits M, prints "committed"
 * and waits to be killed without closing the spool.
 */
public final class SpoolCrashChild {
  private SpoolCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long n = Long.parseLong(args[1]);
    long m = Long.parseLong(args[2]);
    Spool spool =
        Spool.open(SpoolTestSupport.options(dir, "FAST_HOURLY", 1L << 40), new MetricsRegistry());
    for (long i = 1; i <= n; i++) {
      spool.append(SpoolTestSupport.event(i));
    }
    spool.commit(m);
    System.out.println("committed");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
