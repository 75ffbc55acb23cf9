package io.vigil.testkit.bench;

import io.vigil.collector.config.HuntSection;
import io.vigil.collector.hunt.HuntQuery;
import io.vigil.collector.hunt.Hunter;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.retention.Retention;
import io.vigil.collector.retention.RetentionOptions;
import io.vigil.collector.store.EventScan;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.ProcessTreeReader;
import io.vigil.collector.store.StoredTree;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.HuntSummary;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The measuring harness of {@code bench/soc/run.sh} (issue #11): fills a real SQLite store through
 * the collector's ingest path ({@link EventStore} + {@link IngestService}, as the collector's
 * stream service calls it, without detection rules) with {@code --events} events of {@code
 * --agents} agents ({@link SocEvents}), then measures on that store, one after the other:
 *
 * <ol>
 *   <li>ingest: events/s, and CPU per event of the writer thread and of the submitting thread
 *       (generation, serialization and the submit-side parse), once on a store as migrated (v8: no
 *       index on events.entity_id) and once with the {@code events_by_entity} partial index that an
 *       early v8 had, created after migration, for comparison (same events);
 *   <li>the example hunts of docs/hunting.md through {@link Hunter#run} over an {@link EventScan},
 *       as the Hunt RPC runs them (default limit 100, default scan budget): wall time and events
 *       examined per second; every event is within the hunts' windows, so each reads the whole
 *       store;
 *   <li>{@link ProcessTreeReader#read} (the ProcessTree RPC's defaults: 1000 events, depth 8) of
 *       200 random processes with children: p50/p99/max;
 *   <li>{@link Retention#runOnce} deleting the older half of the events by age, while one batch at
 *       a time of 1000 events is submitted: the pass's wall time and the slowest batch (submit to
 *       commit), next to the same batches' latency before the pass.
 * </ol>
 *
 * <p>Usage: {@code SocBench --dir DIR [--events N] [--agents A]}. DIR holds the databases; the
 * caller removes it.
 */
public final class SocBench {
  private static final int BATCH = 1000;
  private static final int IN_FLIGHT = 32;
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  private final long events;
  private final int agents;
  private final long[] seqs;
  private final SocEvents[] streams;

  private SocBench(long events, int agents) {
    this.events = events;
    this.agents = agents;
    this.seqs = new long[agents];
    this.streams = new SocEvents[agents];
    for (int a = 0; a < agents; a++) {
      streams[a] = new SocEvents(a + 1);
    }
  }

  /** See the class comment. */
  public static void main(String[] args) throws Exception {
    Path dir = null;
    long events = 2_000_000;
    int agents = 10;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--dir" -> dir = Path.of(args[i + 1]);
        case "--events" -> events = Long.parseLong(args[i + 1]);
        case "--agents" -> agents = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (dir == null || events < BATCH * 10L || agents < 1) {
      System.err.println("usage: SocBench --dir DIR [--events N >= 10000] [--agents A >= 1]");
      System.exit(2);
    }
    Files.createDirectories(dir);
    System.out.printf("== %d events, %d agents, batches of %d%n", events, agents, BATCH);

    // Unmeasured: a twentieth of the load on a throwaway store, so that both measured loads run
    // compiled code (otherwise the first one pays the JIT and the comparison is unfair).
    Path warm = dir.resolve("warm-up.db");
    new SocBench(Math.max(BATCH * 10L, events / 20), agents).load(warm, false, false);
    deleteStore(warm);

    System.out.println("== 1. ingest (writer thread = the collector's ingest-writer)");
    System.out.println(
        "| store | events/s | wall s | writer CPU us/event | submitter CPU us/event | db MiB |");
    System.out.println("|---|---|---|---|---|---|");
    Path with = dir.resolve("with-entity-index.db");
    new SocBench(events, agents).load(with, true, true);
    deleteStore(with);
    Path file = dir.resolve("soc.db");
    SocBench bench = new SocBench(events, agents);
    bench.load(file, false, true);

    bench.hunts(file);
    trees(file);
    bench.retention(file);
  }

  private static void deleteStore(Path file) throws java.io.IOException {
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Files.deleteIfExists(Path.of(file + suffix));
    }
  }

  private static Hello hello(String agentId) {
    return Hello.newBuilder()
        .setAgentId(agentId)
        .setStreamEpoch("e1")
        .setAgentVersion("0.1.0")
        .setHost(HostInfo.newBuilder().setHostname("host-" + agentId.substring(0, 8)))
        .build();
  }

  private static String agentId(int a) {
    return String.format("%08x-0000-4000-8000-%012x", a + 1, a + 1);
  }

  /** Stores {@code events} events, receive times spread over the 20 hours before now. */
  private void load(Path file, boolean index, boolean print) throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(file)) {
      if (index) {
        sql(file, "CREATE INDEX events_by_entity ON events(entity_id) WHERE entity_id IS NOT NULL");
      }
      IngestService ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
      try {
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int a = 0; a < agents; a++) {
          ingest.openStream(agentId(a), "e1", hello(agentId(a)), now).get();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long writer = writerThreadId();
        long w0 = threads.getThreadCpuTime(writer);
        long s0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long start = now - 20 * HOUR;
        long step = 20 * HOUR / events;
        ArrayDeque<CompletableFuture<Long>> pending = new ArrayDeque<>();
        for (long done = 0; done < events; done += BATCH) {
          int a = (int) ((done / BATCH) % agents);
          if (pending.size() >= IN_FLIGHT) {
            pending.removeFirst().get();
          }
          long receive = start + done * step;
          pending.addLast(ingest.submit(agentId(a), "e1", batch(a, receive, step), receive));
        }
        while (!pending.isEmpty()) {
          pending.removeFirst().get();
        }
        long wall = System.nanoTime() - t0;
        long w = threads.getThreadCpuTime(writer) - w0;
        long s = threads.getCurrentThreadCpuTime() - s0;
        if (!print) {
          return;
        }
        System.out.printf(
            "| %s | %.0f | %.1f | %.1f | %.1f | %d |%n",
            index ? "with events_by_entity (early v8)" : "no entity index (v8)",
            events / (wall / 1e9),
            wall / 1e9,
            w / 1e3 / events,
            s / 1e3 / events,
            Files.size(file) / (1 << 20));
      } finally {
        ingest.close();
      }
    }
  }

  private EventBatch batch(int a, long receive, long step) {
    EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(seqs[a] + 1);
    for (int i = 0; i < BATCH; i++) {
      long seq = ++seqs[a];
      b.addEvents(streams[a].next(seq, receive + i * step - 1_000_000L).toByteString());
    }
    return b.build();
  }

  private static long writerThreadId() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("ingest-writer")) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no ingest-writer thread");
  }

  private void hunts(Path file) throws Exception {
    long stored;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      stored = scalar(st, "SELECT count(*) FROM events");
    }
    System.out.println("== 2. hunts over the whole store (Hunter.run on an EventScan, limit 100)");
    System.out.println(
        "| hunt | decoded (its kinds) | matched | wall s | decoded/s | store events/s |");
    System.out.println("|---|---|---|---|---|---|");
    Map<String, String> hostnames = new HashMap<>();
    for (int a = 0; a < agents; a++) {
      hostnames.put(agentId(a), hello(agentId(a)).getHost().getHostname());
    }
    long day = TimeUnit.DAYS.toNanos(1);
    hunt(
        file,
        "curl piped to sh, --since 1d",
        "kind = exec and Image matches \"/(ba|da|z)?sh$\" and ParentCommandLine matches"
            + " \"curl[^|;&]*\\|\\s*(sudo\\s+)?(ba|da|z)?sh\\b\"",
        day,
        hostnames,
        stored);
    hunt(
        file,
        "processes talking to 192.0.2.7, --since 7d",
        "kind = connection and direction != listen"
            + " and (DestinationIp = 192.0.2.7 or SourceIp = 192.0.2.7)",
        7 * day,
        hostnames,
        stored);
    hunt(
        file,
        "new listening ports, --since 1d",
        "kind = connection and direction = listen",
        day,
        hostnames,
        stored);
  }

  private static void hunt(
      Path file, String name, String query, long span, Map<String, String> hostnames, long stored) {
    long until = System.currentTimeMillis() * 1_000_000L;
    Hunter.Plan plan =
        new Hunter.Plan(
            HuntQuery.parse(query),
            until - span,
            until,
            100,
            Set.of(),
            HuntSection.DEFAULTS.maxScannedEvents(),
            HuntSection.DEFAULTS.maxDuration(),
            HuntSection.DEFAULTS.maxArrivalDelay());
    long t0 = System.nanoTime();
    HuntSummary s;
    try (EventScan scan = EventScan.open(file)) {
      s = Hunter.run(scan, plan, hostnames, row -> true, () -> false);
    }
    long wall = System.nanoTime() - t0;
    System.out.printf(
        "| %s | %d%s | %d%s | %.1f | %.0f | %.0f |%n",
        name,
        s.getScanned(),
        s.getBudgetExhausted() ? " (budget)" : "",
        s.getMatched(),
        s.getLimited() ? " (limit)" : "",
        wall / 1e9,
        s.getScanned() / (wall / 1e9),
        stored / (wall / 1e9));
  }

  private static void trees(Path file) throws Exception {
    List<String[]> targets = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT agent_id, entity_id FROM processes p WHERE EXISTS (SELECT 1 FROM"
                    + " processes c WHERE c.agent_id = p.agent_id AND c.parent_entity_id ="
                    + " p.entity_id) ORDER BY random() LIMIT 200")) {
      while (rs.next()) {
        targets.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    Latencies l = new Latencies();
    long processes = 0;
    long treeEvents = 0;
    try (ProcessTreeReader reader = ProcessTreeReader.open(file)) {
      for (String[] t : targets) {
        long t0 = System.nanoTime();
        StoredTree tree = reader.read(t[0], t[1], 1000, 8).orElseThrow();
        l.add(System.nanoTime() - t0);
        processes += tree.processes().size();
        treeEvents += tree.events().size();
      }
    }
    System.out.println("== 3. process trees (ProcessTreeReader.read, 1000 events, depth 8)");
    System.out.printf(
        "%d random processes with children: p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " on average %.0f processes and %.0f events per tree%n",
        l.size(),
        l.percentile(50) / 1e6,
        l.percentile(99) / 1e6,
        l.max() / 1e6,
        (double) processes / Math.max(1, l.size()),
        (double) treeEvents / Math.max(1, l.size()));
  }

  private void retention(Path file) throws Exception {
    long cutoff;
    long before;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      before = scalar(st, "SELECT count(*) FROM events");
      cutoff =
          scalar(st, "SELECT receive_time_ns FROM events ORDER BY id LIMIT 1 OFFSET " + before / 2);
    }
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(file)) {
      IngestService ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
      try {
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int a = 0; a < agents; a++) {
          ingest.openStream(agentId(a), "e1", hello(agentId(a)), now).get();
        }
        Latencies quiet = new Latencies();
        for (int i = 0; i < 100; i++) {
          quiet.add(commitOne(ingest));
        }
        RetentionOptions options =
            new RetentionOptions(
                Duration.ofNanos(now - cutoff),
                0,
                Duration.ZERO,
                Duration.ofHours(1),
                RetentionOptions.DEFAULT_CHUNK_EVENTS);
        Retention retention = new Retention(options, Set.of(), file, ingest, metrics);
        long[] deleted = {0};
        long[] wall = {0};
        Thread pass =
            new Thread(
                () -> {
                  long t0 = System.nanoTime();
                  try {
                    deleted[0] = retention.runOnce(now);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  wall[0] = System.nanoTime() - t0;
                },
                "retention-pass");
        Latencies busy = new Latencies();
        pass.start();
        while (pass.isAlive()) {
          busy.add(commitOne(ingest));
        }
        pass.join();
        retention.close();
        System.out.println(
            "== 4. retention (Retention.runOnce, chunks of "
                + RetentionOptions.DEFAULT_CHUNK_EVENTS
                + " events) with ingest running");
        System.out.printf(
            "deleted %d rows (events older than the median: %d of %d, with their dependent"
                + " rows) in %.1f s (%.0f rows/s)%n",
            deleted[0], before / 2, before, wall[0] / 1e9, deleted[0] / (wall[0] / 1e9));
        System.out.printf(
            "batch of %d, submit to commit: before the pass p50 %.1f ms, max %.1f ms (%d);"
                + " during it p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d batches)%n",
            BATCH,
            quiet.percentile(50) / 1e6,
            quiet.max() / 1e6,
            quiet.size(),
            busy.percentile(50) / 1e6,
            busy.percentile(99) / 1e6,
            busy.max() / 1e6,
            busy.size());
      } finally {
        ingest.close();
      }
    }
  }

  /** Submits one batch of agent 0 received now and waits for its commit; its latency. */
  private long commitOne(IngestService ingest) throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    EventBatch b = batch(0, now, 1000);
    long t0 = System.nanoTime();
    ingest.submit(agentId(0), "e1", b, now).get();
    return System.nanoTime() - t0;
  }

  private static long scalar(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void sql(Path file, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
