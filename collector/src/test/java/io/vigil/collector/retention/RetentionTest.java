package io.vigil.collector.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.collector.disk.DiskGuard;
import io.vigil.collector.disk.DiskOptions;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.AlertContext;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertWrites;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.FreelistReader;
import io.vigil.collector.store.RetentionReads;
import io.vigil.collector.store.SinkStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.store.TriageResult;
import io.vigil.collector.store.TriageStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real database with a real ingest service writing to it. */
class RetentionTest {
  private static final String AGENT = "0b7c9e2a-1111-4a8e-9a53-2f0f4b6d7e01";
  private static final String EPOCH = "e1";
  private static final long DAY = TimeUnit.DAYS.toNanos(1);

  @TempDir Path dir;
  private Path file;
  private EventStore store;
  private IngestService ingest;
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final long now = System.currentTimeMillis() * 1_000_000L;

  @BeforeEach
  void open() throws Exception {
    file = dir.resolve("vigil.db");
    store = EventStore.open(file);
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
    ingest.openStream(AGENT, EPOCH, hello(), now).get();
  }

  @AfterEach
  void close() {
    ingest.close();
    store.close();
  }

  @Test
  void oldEventsAndTheirDependentRowsGoButParentsOfYoungerProcessesAndWatermarksStay()
      throws Exception {
    submit(1, 100, now - 40 * DAY, 10);
    submit(101, 200, now - DAY, 10);
    sql(
        // p-old-parent names no one but is parent of a young child; p-lone is old and alone;
        // p-old-child is old with an old parent p-old-grand: it goes first, its parent next run.
        process("p-old-parent", null, now - 40 * DAY),
        process("p-young-child", "p-old-parent", now - DAY),
        process("p-lone", null, now - 40 * DAY),
        process("p-old-grand", null, now - 41 * DAY),
        process("p-old-child", "p-old-grand", now - 40 * DAY),
        "INSERT INTO correlation_inputs(rule_id, agent_id, stream_id, seq, event_time_ns, fields)"
            + " VALUES('r', 'a', 1, 1, "
            + (now - 40 * DAY)
            + ", '{}'), ('r', 'a', 1, 150, "
            + (now - DAY)
            + ", '{}')",
        "INSERT INTO dead_letters(agent_id, epoch, seq, received_ns, reason, raw, raw_size)"
            + " VALUES('a', 'e', 1, "
            + (now - 40 * DAY)
            + ", 'x', x'00', 1)",
        "INSERT INTO holes(agent_id, epoch, first_seq, last_seq, detected_ns, explained, reported)"
            + " VALUES('a', 'e', 1, 2, "
            + (now - 40 * DAY)
            + ", 0, 1), ('a', 'e', 3, 4, "
            + (now - 40 * DAY)
            + ", 0, 0)",
        // An alert on event 5 (to be deleted), stored 40 days ago: kept, and still readable.
        "INSERT INTO alerts(agent_id, stream_id, seq, event_kind, event_time_ns, stored_ns,"
            + " rule_id, title, level, tags, matched_fields, rule_origin, updated_ns)"
            + " SELECT 'a', stream_id, 5, 1, 1, "
            + (now - 40 * DAY)
            + ", 'rule-a', 'Title',"
            + " 'high', '[]', '{}', 'test', 1 FROM streams WHERE agent_id = '"
            + AGENT
            + "'");

    Retention r = retention(Duration.ofDays(30), 0, Duration.ofDays(365), 7);
    r.runOnce(now);

    try (StoreReader reader = EventStore.openReadOnly(file)) {
      assertEquals(100, reader.countEvents(), "the 100 events of 40 days ago are gone");
      assertEquals(OptionalLong.of(200), reader.watermark(AGENT, EPOCH), "watermark kept");
      AlertDetail alert = reader.alert(1).orElseThrow();
      assertNull(alert.alert().eventPayload(), "its event is gone, the alert shows without it");
      assertEquals("Title", alert.alert().title());
    }
    assertEquals(
        List.of("p-old-grand", "p-old-parent", "p-young-child"),
        strings("SELECT entity_id FROM processes ORDER BY entity_id"));
    assertEquals(1, count("SELECT count(*) FROM correlation_inputs"));
    assertEquals(0, count("SELECT count(*) FROM dead_letters"));
    assertEquals(1, count("SELECT count(*) FROM holes WHERE reported = 0"), "open hole kept");
    assertEquals(1, count("SELECT count(*) FROM holes"));
    assertEquals(100, metrics.value("vigil_collector_retention_deleted_total", "table", "events"));
    assertTrue(metrics.value("vigil_collector_retention_last_run_seconds") > 0);

    r.runOnce(now);
    assertEquals(
        List.of("p-old-parent", "p-young-child"),
        strings("SELECT entity_id FROM processes ORDER BY entity_id"),
        "the old grandparent goes once its old child has gone");

    // A re-send of deleted seqs is deduplicated by the watermark: nothing comes back.
    assertEquals(200L, ingest.submit(AGENT, EPOCH, batch(1, 100, 10), now).get());
    assertEquals(100, count("SELECT count(*) FROM events"));
  }

  @Test
  void closedAlertsPastTheirAgeGoWithTheirHistory() throws Exception {
    long old;
    long young;
    old = collectorAlert(now - 400 * DAY);
    young = collectorAlert(now - 10 * DAY);
    closeAlerts(old, young);
    retention(Duration.ZERO, 0, Duration.ofDays(365), 7).runOnce(now);
    assertEquals(List.of(Long.toString(young)), strings("SELECT id FROM alerts"));
    assertEquals(2, count("SELECT count(*) FROM alert_changes"), "the young one's note and close");
    assertEquals(1, count("SELECT count(*) FROM streams WHERE agent_id = 'collector'"));
    assertEquals(1.0, metrics.value("vigil_collector_retention_deleted_total", "table", "alerts"));
  }

  @Test
  void openAlertsAndAlertsASinkHasNotDeliveredStay() throws Exception {
    long[] ids = new long[6];
    for (int i = 0; i < ids.length; i++) {
      // A day apart: each its own alert, not folded into the one before by suppression.
      ids[i] = collectorAlert(now - (400 + ids.length - i) * DAY);
    }
    // ids[1] stays open (the disk-full alert "stays open"); the rest are closed.
    closeAlerts(ids[0], ids[2], ids[3], ids[4], ids[5]);
    try (SinkStore siem = SinkStore.open(file)) {
      siem.advance("siem", ids[3], now); // delivered up to ids[3]
      siem.advance("chat", ids[5], now);
      siem.advance("removed", 0, now); // a sink since removed from the config: no say
    }
    // "new" is configured but has no cursor yet: nothing goes until it places one.
    retention(Duration.ZERO, 0, Duration.ofDays(365), 7, Set.of("siem", "chat", "new"))
        .runOnce(now);
    assertEquals(6, count("SELECT count(*) FROM alerts"));

    retention(Duration.ZERO, 0, Duration.ofDays(365), 7, Set.of("siem", "chat")).runOnce(now);
    assertEquals(
        List.of(ids[1], ids[4], ids[5]).stream().map(String::valueOf).toList(),
        strings("SELECT id FROM alerts ORDER BY id"),
        "the open alert and those siem has not delivered stay");
    assertEquals(
        0,
        count(
            "SELECT count(*) FROM alert_changes WHERE alert_id IN ("
                + ids[0]
                + ", "
                + ids[3]
                + ")"));
  }

  @Test
  void aProcessWithEventsAfterTheCutoffKeepsItsRow() throws Exception {
    // Both execs report an event time of 2023 (older than the cutoff); one process acted since.
    assertEquals(1L, ingest.submit(AGENT, EPOCH, exec(1, "p-gone"), now - 40 * DAY).get());
    assertEquals(2L, ingest.submit(AGENT, EPOCH, exec(2, "p-running"), now - 40 * DAY).get());
    assertEquals(3L, ingest.submit(AGENT, EPOCH, exec(3, "p-running"), now - DAY).get());
    assertEquals(
        List.of("p-gone", "p-running"), strings("SELECT entity_id FROM processes ORDER BY 1"));

    retention(Duration.ofDays(30), 0, Duration.ZERO, 7).runOnce(now);
    assertEquals(1, count("SELECT count(*) FROM events"));
    assertEquals(List.of("p-running"), strings("SELECT entity_id FROM processes"));
  }

  @Test
  void deletingOldEventsLetsAGuardRefusingForADatabaseThatFilledTheDiskResume() throws Exception {
    submit(1, 4000, now - 40 * DAY, 1000);
    // The filesystem has 1 MiB left and stays so: the file never shrinks.
    long mib = 1 << 20;
    try (FreelistReader freelist = FreelistReader.open(file)) {
      DiskGuard guard =
          new DiskGuard(
              () -> mib,
              freelist::freeBytes,
              dir.toString(),
              new DiskOptions(2 * mib, 3 * mib, Duration.ofSeconds(1)),
              metrics);
      assertTrue(guard.refusal().isPresent(), "1 MiB free and no free pages: refusing");

      retention(Duration.ofDays(30), 0, Duration.ZERO, 500).runOnce(now);
      assertEquals(0, count("SELECT count(*) FROM events"));
      assertTrue(guard.refusal().isPresent(), "still refusing until measured");
      assertFalse(guard.measure(), "the deleted events' pages count: " + guard.check().details());
      assertTrue(
          guard.freePageBytes() >= 3 * mib, guard.freePageBytes() + " bytes free in the file");
      assertTrue(guard.refusal().isEmpty());
      assertTrue(guard.check().ok());
    }
  }

  @Test
  void overTheSizeBoundTheOldestEventsGoUntilBelow() throws Exception {
    submit(1, 4000, now - DAY, 1000);
    long used;
    try (RetentionReads reads = RetentionReads.open(file)) {
      used = reads.usedBytes();
    }
    long bound = used / 2;
    retention(Duration.ZERO, bound, Duration.ZERO, 100).runOnce(now);
    try (RetentionReads reads = RetentionReads.open(file)) {
      assertTrue(reads.usedBytes() <= bound, reads.usedBytes() + " > " + bound);
    }
    long left = count("SELECT count(*) FROM events");
    assertTrue(left > 1000 && left < 4000, left + " events left");
    assertEquals(4000, count("SELECT max(seq) FROM events"), "the newest stay");
    assertEquals(4001 - left, count("SELECT min(seq) FROM events"), "the oldest went, in order");
  }

  @Test
  void ingestKeepsCommittingWhileALargeDeleteRuns() throws Exception {
    for (long first = 1; first <= 60_000; first += 5000) {
      submit(first, first + 4999, now - 40 * DAY, 10);
    }
    Retention r = retention(Duration.ofDays(30), 0, Duration.ZERO, 2000);
    CompletableFuture<Long> deleting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return r.runOnce(now);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    long worstNanos = 0;
    long committed = 0;
    long seq = 60_001;
    while (!deleting.isDone()) {
      long t = System.nanoTime();
      ingest.submit(AGENT, EPOCH, batch(seq, seq + 99, 10), now).get();
      worstNanos = Math.max(worstNanos, System.nanoTime() - t);
      seq += 100;
      committed++;
    }
    assertEquals(60_000L, deleting.get());
    System.out.printf(
        "retention deleted 60000 events while %d batches committed, slowest %d ms%n",
        committed, TimeUnit.NANOSECONDS.toMillis(worstNanos));
    assertTrue(committed > 1, "batches committed between the delete's chunks: " + committed);
    assertEquals(seq - 60_001, count("SELECT count(*) FROM events"));
  }

  /** A disk-full alert on the collector's pseudo stream at {@code t}, with a note; its id. */
  private long collectorAlert(long t) throws Exception {
    return ingest
        .maintain(
            s -> {
              long stream =
                  s.events().stream(HealthAlerts.COLLECTOR, HealthAlerts.COLLECTOR, t).streamId();
              AlertContext at =
                  new AlertContext(
                      HealthAlerts.COLLECTOR, stream, 0, AlertWrites.COLLECTOR_RAISED, t, t, null);
              long id =
                  s.alerts().insertCollectorRaised(at, HealthAlerts.diskFull("/x", 1, 2)).alertId();
              s.alerts().note(id, HealthAlerts.COLLECTOR, "n", t);
              return id;
            })
        .get();
  }

  private Retention retention(Duration age, long bytes, Duration alertAge, int chunk) {
    return retention(age, bytes, alertAge, chunk, Set.of());
  }

  private Retention retention(
      Duration age, long bytes, Duration alertAge, int chunk, Set<String> sinks) {
    return new Retention(
        new RetentionOptions(age, bytes, alertAge, Duration.ofMinutes(1), chunk),
        sinks,
        file,
        ingest,
        metrics);
  }

  private void closeAlerts(long... ids) {
    try (TriageStore triage = TriageStore.open(file, () -> now)) {
      for (long id : ids) {
        assertTrue(
            triage.close(id, "analyst", "resolved", null) instanceof TriageResult.Changed,
            "close " + id);
      }
    }
  }

  private static EventBatch exec(long seq, String entity) {
    Event e =
        Event.newBuilder()
            .setSeq(seq)
            .setEventTimeNs(1_700_000_000_000_000_000L + seq)
            .setSensor("synthetic")
            .setProcessExec(
                ProcessExec.newBuilder()
                    .setProcess(
                        ProcessRef.newBuilder()
                            .setEntityId(entity)
                            .setPid(1000)
                            .setImage("/usr/bin/sleep")
                            .setCommandLine("sleep " + seq)))
            .build();
    return EventBatch.newBuilder().setFirstSeq(seq).addEvents(e.toByteString()).build();
  }

  private void submit(long first, long last, long receivedNs, int commandLineBytes)
      throws Exception {
    assertEquals(
        last, ingest.submit(AGENT, EPOCH, batch(first, last, commandLineBytes), receivedNs).get());
  }

  private static EventBatch batch(long first, long last, int commandLineBytes) {
    List<ByteString> events = new ArrayList<>();
    String padding = "x".repeat(commandLineBytes);
    for (long s = first; s <= last; s++) {
      events.add(
          Event.newBuilder()
              .setSeq(s)
              .setEventTimeNs(1_700_000_000_000_000_000L + s)
              .setSensor("synthetic")
              .setProcessExec(
                  ProcessExec.newBuilder()
                      .setProcess(
                          ProcessRef.newBuilder()
                              .setPid(1000)
                              .setImage("/usr/bin/bash")
                              .setCommandLine("bash " + s + " " + padding)))
              .build()
              .toByteString());
    }
    return EventBatch.newBuilder().setFirstSeq(first).addAllEvents(events).build();
  }

  private static Hello hello() {
    return Hello.newBuilder()
        .setAgentId(AGENT)
        .setStreamEpoch(EPOCH)
        .setAgentVersion("0.1.0")
        .setHost(HostInfo.newBuilder().setHostname("web-1"))
        .build();
  }

  private static String process(String entity, String parent, long execNs) {
    return "INSERT INTO processes(agent_id, entity_id, pid, parent_entity_id, image, command_line,"
        + " exec_time_ns, stream_id, seq) VALUES('agent', '"
        + entity
        + "', 1, "
        + (parent == null ? "NULL" : "'" + parent + "'")
        + ", '/bin/x', 'x', "
        + execNs
        + ", 1, 1)";
  }

  private void sql(String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
      for (String s : statements) {
        st.execute(s);
      }
    }
  }

  private long count(String query) throws SQLException {
    return Long.parseLong(strings(query).get(0));
  }

  private List<String> strings(String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
