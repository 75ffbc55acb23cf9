package io.vigil.detect.bench;

import com.sun.management.ThreadMXBean;
import io.vigil.common.testing.Machine;
import io.vigil.detect.engine.ActiveRule;
import io.vigil.detect.engine.BundledRules;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Events per second through {@link DetectionEngine#evaluate} on one thread, over the committed
 * event mix, with the rules a collector would activate from a SigmaHQ Linux rules directory plus
 * the bundled starter rules. Run by {@code bench/detect/run.sh}, which pins the JVM to one core.
 *
 * <p>Arguments: {@code MIX RULES_DIR WARMUP_S ITERATIONS ITERATION_S}. Each iteration evaluates
 * whole passes over the mix until its time is up. The findings of every pass must equal those of a
 * reference pass made before warm-up; the run fails otherwise. Allocation is the evaluating
 * thread's own ({@code getCurrentThreadAllocatedBytes}).
 */
public final class EngineBench {
  private final Event[] mix;
  private final DetectionEngine engine;
  private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private EngineBench(Event[] mix, DetectionEngine engine) {
    this.mix = mix;
    this.engine = engine;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      System.err.println("usage: EngineBench MIX RULES_DIR WARMUP_S ITERATIONS ITERATION_S");
      System.exit(2);
    }
    System.out.println(Machine.describe());
    Event[] mix = EventMix.read(Path.of(args[0])).toArray(Event[]::new);
    System.out.println("mix:      " + mix.length + " events from " + args[0] + ": " + kinds(mix));

    long heapBefore = usedHeapAfterGc();
    long t0 = System.nanoTime();
    List<Path> dirs = List.of(Path.of(args[1]), BundledRules.directory());
    RuleCatalog catalog = RuleCatalog.load(dirs);
    DetectionEngine engine = catalog.engine();
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    long heapAfter = usedHeapAfterGc();
    System.out.println("rules:    " + dirs + "\n          " + catalog.summary());
    System.out.println("          loaded and compiled in " + loadMs + " ms");
    byLogSource(catalog.active())
        .forEach((k, n) -> System.out.printf("          %4d active  %s%n", n, k));
    System.out.printf(
        "heap:     %.1f MiB used after GC before loading, %.1f MiB after: the catalog and engine"
            + " hold %.1f MiB%n",
        mib(heapBefore), mib(heapAfter), mib(heapAfter - heapBefore));

    EngineBench bench = new EngineBench(mix, engine);
    long perPass = bench.reference();
    bench.measure(
        Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), perPass);
    if (engine.ruleErrors() != 0) {
      System.out.println("RULE ERRORS: " + engine.ruleErrors());
      System.exit(1);
    }
    Reference.reachabilityFence(catalog);
  }

  /**
   * One pass that records every finding; returns the findings per pass. With the system property
   * {@code vigil.bench.findings=FILE} it also writes them, one {@code seq rule-id} per line, to
   * compare two versions of the engine.
   */
  private long reference() throws IOException {
    String dump = System.getProperty("vigil.bench.findings");
    List<String> lines = new ArrayList<>();
    Map<String, Integer> byRule = new TreeMap<>();
    CRC32 digest = new CRC32();
    long findings = 0;
    int matchedEvents = 0;
    for (Event e : mix) {
      List<Finding> found = engine.evaluate(e);
      matchedEvents += found.isEmpty() ? 0 : 1;
      for (Finding f : found) {
        findings++;
        byRule.merge(f.title(), 1, Integer::sum);
        lines.add(e.getSeq() + " " + f.ruleId());
      }
    }
    // The order of one event's findings is not part of what is compared.
    Collections.sort(lines);
    for (String line : lines) {
      digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    if (dump != null) {
      Files.write(Path.of(dump), lines);
    }
    System.out.printf(
        "findings: %d per pass over the mix, on %d events (%.1f %%); digest of the sorted (seq, rule id)"
            + " %08x%n",
        findings, matchedEvents, matchedEvents * 100.0 / mix.length, digest.getValue());
    byRule.forEach((title, n) -> System.out.printf("          %4d  %s%n", n, title));
    return findings;
  }

  private long pass(Event[] events) {
    long findings = 0;
    for (Event e : events) {
      findings += engine.evaluate(e).size();
    }
    return findings;
  }

  private void measure(int warmupS, int iterations, int iterationS, long perPass) {
    System.out.println("warm-up:  " + warmupS + " s");
    runOn(mix, warmupS * 1_000_000_000L, perPass);
    long gcCount0 = gcCount();
    long gcMs0 = gcMillis();
    double[] rates = new double[iterations];
    double[] cpuRates = new double[iterations];
    System.out.println("iter  events/s   ns/event  cpu events/s  bytes/event  passes  findings");
    for (int i = 0; i < iterations; i++) {
      Result r = runOn(mix, iterationS * 1_000_000_000L, perPass);
      rates[i] = r.eventsPerSecond();
      cpuRates[i] = r.eventsPerCpuSecond();
      System.out.printf(
          "%4d  %9.0f  %9.1f  %12.0f  %11.1f  %6d  %d%n",
          i + 1,
          r.eventsPerSecond(),
          r.nsPerEvent(),
          r.eventsPerCpuSecond(),
          r.bytesPerEvent(),
          r.passes,
          r.findings);
    }
    Stats s = Stats.of(rates);
    Stats cpu = Stats.of(cpuRates);
    System.out.printf(
        "result:   median %.0f events/s (%.1f ns/event), min %.0f, max %.0f, spread %.1f %%%n",
        s.median(), 1e9 / s.median(), s.min(), s.max(), s.spreadPercent());
    System.out.printf(
        "          per CPU second of the thread: median %.0f events/s (%.1f ns/event), min %.0f,"
            + " max %.0f%n",
        cpu.median(), 1e9 / cpu.median(), cpu.min(), cpu.max());
    System.out.printf(
        "          GC during measurement: %d collections, %d ms%n",
        gcCount() - gcCount0, gcMillis() - gcMs0);
    byKind();
  }

  /** CPU ns/event for each event kind alone, to see where the time goes. */
  private void byKind() {
    Map<Event.PayloadCase, List<Event>> split = new EnumMap<>(Event.PayloadCase.class);
    for (Event e : mix) {
      split.computeIfAbsent(e.getPayloadCase(), k -> new ArrayList<>()).add(e);
    }
    Map<Event.PayloadCase, Double> nsPerEvent = new EnumMap<>(Event.PayloadCase.class);
    double total = 0;
    for (Map.Entry<Event.PayloadCase, List<Event>> k : split.entrySet()) {
      Event[] events = k.getValue().toArray(Event[]::new);
      long findings = pass(events);
      double[] ns = new double[3];
      for (int i = 0; i < ns.length; i++) {
        ns[i] = runOn(events, 1_000_000_000L, findings).cpuNsPerEvent();
      }
      double median = Stats.of(ns).median();
      nsPerEvent.put(k.getKey(), median);
      total += median * events.length;
    }
    for (Map.Entry<Event.PayloadCase, Double> k : nsPerEvent.entrySet()) {
      int n = split.get(k.getKey()).size();
      System.out.printf(
          "by kind:  %-13s %5d events  %8.1f CPU ns/event  (%.0f %% of the mix's time)%n",
          k.getKey(), n, k.getValue(), k.getValue() * n * 100 / total);
    }
  }

  private Result runOn(Event[] events, long nanos, long perPass) {
    long alloc0 = threads.getCurrentThreadAllocatedBytes();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + nanos;
    int passes = 0;
    long findings = 0;
    long now;
    do {
      long f = pass(events);
      if (f != perPass) {
        throw new IllegalStateException(
            "a pass found " + f + " findings, the reference pass " + perPass);
      }
      findings += f;
      passes++;
      now = System.nanoTime();
    } while (now < end);
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    long alloc = threads.getCurrentThreadAllocatedBytes() - alloc0;
    return new Result((long) passes * events.length, now - start, cpu, alloc, passes, findings);
  }

  /**
   * {@code cpuNanos}: the evaluating thread's CPU time, which other load on the core does not
   * inflate (GC and JIT threads are not in it).
   */
  private record Result(
      long events, long nanos, long cpuNanos, long allocated, int passes, long findings) {
    double eventsPerSecond() {
      return events * 1e9 / nanos;
    }

    double eventsPerCpuSecond() {
      return events * 1e9 / cpuNanos;
    }

    double cpuNsPerEvent() {
      return (double) cpuNanos / events;
    }

    double nsPerEvent() {
      return (double) nanos / events;
    }

    double bytesPerEvent() {
      return (double) allocated / events;
    }
  }

  private static Map<String, Integer> byLogSource(List<ActiveRule> rules) {
    Map<String, Integer> out = new TreeMap<>();
    for (ActiveRule r : rules) {
      LogSource s = r.compiled().rule().logsource();
      String key =
          "product=" + s.product() + " category=" + s.category() + " service=" + s.service();
      out.merge(key, 1, Integer::sum);
    }
    return out;
  }

  private static String kinds(Event[] mix) {
    Map<Event.PayloadCase, Integer> n = new EnumMap<>(Event.PayloadCase.class);
    for (Event e : mix) {
      n.merge(e.getPayloadCase(), 1, Integer::sum);
    }
    return n.toString();
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static double mib(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += gc.getCollectionCount();
    }
    return n;
  }

  private static long gcMillis() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += gc.getCollectionTime();
    }
    return n;
  }
}
