package io.vigil.agent.sensor.fim.bench;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.fim.IntegritySensor;
import io.vigil.common.testing.Machine;
import io.vigil.proto.v1.Event;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Integrity baseline speed (issue #8, bench/file-storm): the real {@link IntegritySensor} builds a
 * new baseline of the given trees with hashing unthrottled, {@code RUNS} times, each into a fresh
 * state directory; prints files/s and MB/s hashed per run (the first run reads from disk as far as
 * the page cache is cold, later runs from the cache), the JVM's CPU time, and the heap the baseline
 * holds per entry. Nothing is written outside a temporary state directory.
 *
 * <p>Usage: {@code FimBaselineBench RUNS PATH...} (e.g. {@code 2 /usr}).
 */
public final class FimBaselineBench {
  private FimBaselineBench() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    List<String> paths = Arrays.asList(args).subList(1, args.length);
    System.out.println(Machine.describe());
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int run = 1; run <= runs; run++) {
      Path state = Files.createTempDirectory("vigil-bench-fim-");
      IntegritySensor.Options o =
          new IntegritySensor.Options(
              paths,
              List.of(),
              Duration.ofDays(7),
              64L << 20,
              10_000_000,
              0,
              state,
              1000,
              Duration.ofSeconds(2));
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();
      CountDownLatch done = new CountDownLatch(1);
      AtomicLong parts = new AtomicLong();
      AtomicLong partBytes = new AtomicLong();
      EventSink sink =
          new EventSink() {
            @Override
            public boolean offer(Event.Builder e) {
              if (e.hasFimBaseline()) {
                parts.incrementAndGet();
                partBytes.addAndGet(e.build().getSerializedSize());
              }
              if (e.hasFimScan()) {
                done.countDown();
              }
              return true;
            }

            @Override
            public boolean offerOrRefuse(Event.Builder e) {
              return offer(e);
            }
          };
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      try (IntegritySensor sensor = new IntegritySensor(o)) {
        sensor.start(sink);
        done.await();
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (cpuNanos() - cpu0) / 1e9;
        Path saved = state.resolve("fim-baseline.pb");
        long saveWait = System.nanoTime();
        while (!Files.exists(saved) && System.nanoTime() - saveWait < 60_000_000_000L) {
          Thread.sleep(10); // saved right after the scan's event
        }
        Thread.sleep(1000); // the worker is idle now: only the baseline stays reachable
        long file = Files.size(saved);
        IntegritySensor.Counters c = sensor.counters();
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        System.out.printf(
            "run %d: %d files, %.1f MB hashed in %.2f s: %.0f files/s, %.1f MB/s; JVM CPU %.2f s"
                + " (%.0f%% of one core); %d errors%n",
            run,
            c.filesScanned(),
            c.bytesHashed() / 1e6,
            secs,
            c.filesScanned() / secs,
            c.bytesHashed() / 1e6 / secs,
            cpu,
            100 * cpu / secs,
            c.errors());
        System.out.printf(
            "        baseline %d entries: %d parts, %.1f MB of events; local file %.1f MB;"
                + " heap held ~%d bytes per entry%n",
            c.baselineEntries(),
            parts.get(),
            partBytes.get() / 1e6,
            file / 1e6,
            (heapAfter - heapBefore) / Math.max(1, c.baselineEntries()));
      }
      try (var walk = Files.walk(state)) {
        walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
