package io.vigil.collector.hunt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.EventScan;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StreamRef;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HuntRow;
import io.vigil.proto.v1.HuntSummary;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hunts over a real SQLite store: order, bounds, hosts, limit, scan budget, and ingest going on.
 */
class HunterTest {
  private static final long HOUR = 3_600_000_000_000L;
  private static final long NOW = 1_800_000_000_000_000_000L;
  private static final Map<String, String> HOSTS = Map.of("agent-1", "web1", "agent-2", "db1");

  @TempDir Path dir;
  private Path db;
  private EventStore store;
  private StreamRef web;
  private StreamRef dbHost;
  private long seqWeb;
  private long seqDb;

  @BeforeEach
  void open() {
    db = dir.resolve("vigil.db");
    store = EventStore.open(db);
    web = store.events().stream("agent-1", "e1", 1);
    dbHost = store.events().stream("agent-2", "e1", 1);
  }

  private void put(StreamRef s, Event e, long receivedNs) {
    long seq = s == web ? ++seqWeb : ++seqDb;
    store
        .events()
        .insertEvent(
            s.streamId(),
            seq,
            e.getPayloadCase().getNumber(),
            e.getEventTimeNs(),
            receivedNs,
            e.toByteArray());
  }

  private static ProcessRef proc(String entity, String commandLine) {
    return SampleEvents.process(entity, 10, "/usr/bin/x", commandLine, "alice");
  }

  private HuntSummary hunt(
      String q,
      long since,
      long until,
      int limit,
      Set<String> agents,
      long budget,
      List<HuntRow> rows) {
    try (EventScan scan = EventScan.open(db)) {
      return Hunter.run(
          scan,
          plan(q, since, until, limit, agents, budget, Duration.ofMinutes(5)),
          HOSTS,
          rows::add,
          () -> false);
    }
  }

  private static Hunter.Plan plan(
      String q,
      long since,
      long until,
      int limit,
      Set<String> agents,
      long budget,
      Duration maxDuration) {
    return new Hunter.Plan(
        HuntQuery.parse(q), since, until, limit, agents, budget, maxDuration, Duration.ofDays(7));
  }

  private static List<String> entities(List<HuntRow> rows) {
    return rows.stream()
        .map(r -> r.getEvent().getProcessExec().getProcess().getEntityId())
        .toList();
  }

  @Test
  void rowsComeNewestStoredFirstWithinTheTimeBoundsAndHosts() {
    put(
        web,
        SampleEvents.exec(NOW - 30 * HOUR, proc("too-old", "curl a"), proc("p", "bash")),
        NOW - 30 * HOUR);
    put(
        web,
        SampleEvents.exec(NOW - 3 * HOUR, proc("w1", "curl b"), proc("p", "bash")),
        NOW - 3 * HOUR);
    put(
        dbHost,
        SampleEvents.exec(NOW - 2 * HOUR, proc("d1", "curl c"), proc("p", "bash")),
        NOW - 2 * HOUR);
    put(web, SampleEvents.dns(NOW - HOUR, "curl.example", proc("w2", "curl d")), NOW - HOUR);
    put(web, SampleEvents.exec(NOW - HOUR, proc("w3", "wget e"), proc("p", "bash")), NOW - HOUR);
    put(web, SampleEvents.exec(NOW + HOUR, proc("future", "curl f"), proc("p", "bash")), NOW);
    store.commit();

    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s =
        hunt(
            "kind = exec and CommandLine contains curl",
            NOW - 24 * HOUR,
            NOW,
            100,
            Set.of(),
            1000,
            rows);
    assertEquals(List.of("d1", "w1"), entities(rows));
    assertEquals("db1", rows.get(0).getHostname());
    assertEquals("agent-2", rows.get(0).getAgentId());
    assertEquals(NOW - 2 * HOUR, rows.get(0).getEvent().getReceiveTimeNs());
    assertEquals(2, s.getMatched());
    assertFalse(s.getLimited());
    assertFalse(s.getBudgetExhausted());
    // Every row read counts, filtered or not: future, w3, dns, d1, w1, and too-old (received
    // before since minus the clock allowance, where the walk stops).
    assertEquals(6, s.getScanned());

    rows.clear();
    hunt("CommandLine contains curl", NOW - 24 * HOUR, NOW, 100, Set.of("agent-1"), 1000, rows);
    assertEquals(List.of("w1"), entities(rows));

    rows.clear();
    hunt("host = db1 or QueryName = CURL.example", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, rows);
    assertEquals(2, rows.size());
    assertTrue(rows.get(0).getEvent().hasDns());
    assertEquals("d1", rows.get(1).getEvent().getProcessExec().getProcess().getEntityId());
  }

  @Test
  void aBacklogReceivedLateIsFoundByItsEventTime() {
    put(
        web,
        SampleEvents.exec(NOW - 20 * HOUR, proc("spooled", "curl"), proc("p", "bash")),
        NOW - 60_000_000_000L);
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    hunt("kind = exec", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, rows);
    assertEquals(List.of("spooled"), entities(rows));
  }

  @Test
  void aChunkOfLargeEventsIsHandedOnInPartsAndTheWalkGoesOn() {
    // 40 events of 1 MiB: more than one chunk's byte bound, fewer rows than one chunk.
    String big = "x".repeat(1 << 20);
    for (int i = 0; i < 40; i++) {
      put(
          web,
          SampleEvents.exec(NOW - HOUR + i, proc("e" + i, big), proc("p", "bash")),
          NOW - HOUR + i);
    }
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s = hunt("kind = exec", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, rows);
    assertEquals(40, rows.size(), "every event, though one chunk's matches stop at the byte bound");
    assertEquals("e39", entities(rows).get(0));
    assertEquals("e0", entities(rows).get(39));
    assertEquals(40, s.getScanned());
  }

  @Test
  void theRowLimitStopsTheHuntAndSaysSo() {
    for (int i = 0; i < 20; i++) {
      put(
          web,
          SampleEvents.exec(NOW - HOUR + i, proc("e" + i, "curl"), proc("p", "bash")),
          NOW - HOUR + i);
    }
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s = hunt("kind = exec", NOW - 24 * HOUR, NOW, 5, Set.of(), 1000, rows);
    assertEquals(List.of("e19", "e18", "e17", "e16", "e15"), entities(rows));
    assertTrue(s.getLimited());
    assertEquals(5, s.getMatched());
    assertEquals(20, s.getScanned()); // the one chunk read holds all 20
  }

  @Test
  void theScanBudgetStopsTheHuntAndSaysHowFarBackItSearched() {
    // More than one chunk of rows, so the walk crosses statements.
    int n = EventScan.CHUNK_ROWS + 100;
    for (int i = 0; i < n; i++) {
      put(
          web,
          SampleEvents.exec(
              NOW - HOUR + i, proc("e" + i, i % 2 == 0 ? "curl" : "ls"), proc("p", "bash")),
          NOW - HOUR + i);
    }
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s =
        hunt("CommandLine = curl", NOW - 24 * HOUR, NOW, 10_000, Set.of(), n - 50, rows);
    assertTrue(s.getBudgetExhausted());
    assertEquals(n - 50, s.getScanned());
    // The oldest row looked at is the 50th stored (index 50), received at NOW - HOUR + 50.
    assertEquals(NOW - HOUR + 50, s.getCoveredSinceNs());
    assertEquals((n - 50) / 2, s.getMatched());
    assertFalse(s.getLimited());

    rows.clear();
    s = hunt("CommandLine = curl", NOW - 24 * HOUR, NOW, 10_000, Set.of(), n, rows);
    assertFalse(s.getBudgetExhausted());
    assertEquals(n / 2, rows.size());
  }

  @Test
  void ingestCommitsWhileAHuntIsReadingAndTheHuntSeesOnlyWhatWasCommitted() {
    for (int i = 0; i < 10; i++) {
      put(
          web,
          SampleEvents.connection(
              NOW - HOUR + i,
              Direction.DIRECTION_OUTBOUND,
              "10.0.0.1",
              1000 + i,
              "127.0.0.77",
              80,
              proc("c" + i, "")),
          NOW - HOUR + i);
    }
    store.commit();
    put(
        web,
        SampleEvents.connection(
            NOW - 10,
            Direction.DIRECTION_OUTBOUND,
            "10.0.0.1",
            1,
            "127.0.0.77",
            80,
            proc("open", "")),
        NOW - 10);
    // That row's transaction is open (not committed) while the hunt runs.
    List<HuntRow> rows = new ArrayList<>();
    List<Boolean> committed = new ArrayList<>();
    try (EventScan scan = EventScan.open(db)) {
      Hunter.run(
          scan,
          plan(
              "DestinationIp = 127.0.0.77",
              NOW - 24 * HOUR,
              NOW,
              100,
              Set.of(),
              1000,
              Duration.ofMinutes(5)),
          HOSTS,
          r -> {
            if (rows.isEmpty()) {
              store.commit(); // the writer is not blocked by the reading hunt
              put(web, SampleEvents.exec(NOW - 5, proc("later", "x"), proc("p", "bash")), NOW - 5);
              store.commit();
              committed.add(true);
            }
            return rows.add(r);
          },
          () -> false);
    }
    assertEquals(List.of(true), committed);
    assertEquals(10, rows.size());
    assertEquals("c9", rows.get(0).getEvent().getConnection().getProcess().getEntityId());
  }

  @Test
  void everyRowReadCountsTowardTheScanBudgetFilteredOrNot() {
    // 3000 dns events, newer than one exec: a hunt for exec reads them all and decodes none.
    put(
        web,
        SampleEvents.exec(NOW - 2 * HOUR, proc("x", "curl"), proc("p", "bash")),
        NOW - 2 * HOUR);
    for (int i = 0; i < 3000; i++) {
      put(
          web,
          SampleEvents.dns(NOW - HOUR + i, "d" + i + ".example", proc("q", "")),
          NOW - HOUR + i);
    }
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s = hunt("kind = exec", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, rows);
    assertTrue(s.getBudgetExhausted());
    assertEquals(1000, s.getScanned());
    assertEquals(List.of(), rows);
    // The 1000th newest dns event, received at NOW - HOUR + 2000, is the oldest one read.
    assertEquals(NOW - HOUR + 2000, s.getCoveredSinceNs());
  }

  @Test
  void aNarrowOldWindowStartsItsWalkThereAndReadsFewRows() {
    long old = NOW - 30 * 24 * HOUR;
    for (int i = 0; i < 100; i++) {
      put(web, SampleEvents.exec(old + i, proc("old" + i, "curl"), proc("p", "bash")), old + i);
    }
    // Many more rows received since: a hunt over the old hour must not read them.
    for (int i = 0; i < 3 * EventScan.CHUNK_ROWS; i++) {
      put(
          web,
          SampleEvents.exec(NOW - HOUR + i, proc("new" + i, "curl"), proc("p", "bash")),
          NOW - HOUR + i);
    }
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s = hunt("kind = exec", old - HOUR, old + HOUR, 1000, Set.of(), 2000, rows);
    assertFalse(s.getBudgetExhausted());
    assertEquals(100, rows.size());
    assertEquals("old99", entities(rows).get(0));
    assertEquals(100, s.getScanned());
  }

  @Test
  void theDeadlineEndsAHuntAndTheSummarySaysSo() {
    put(web, SampleEvents.exec(NOW - HOUR, proc("e", "curl"), proc("p", "bash")), NOW - HOUR);
    store.commit();
    List<HuntRow> rows = new ArrayList<>();
    HuntSummary s;
    try (EventScan scan = EventScan.open(db)) {
      s =
          Hunter.run(
              scan,
              plan("kind = exec", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, Duration.ofNanos(1)),
              HOSTS,
              rows::add,
              () -> false);
    }
    assertTrue(s.getDeadlineReached());
    assertTrue(s.getBudgetExhausted());
    assertEquals(List.of(), rows);
  }

  @Test
  void aHuntWaitingForItsClientHoldsNoReadSnapshotSoTheWalCanBeCheckpointed() throws Exception {
    for (int i = 0; i < 10; i++) {
      put(
          web,
          SampleEvents.exec(NOW - HOUR + i, proc("e" + i, "curl"), proc("p", "bash")),
          NOW - HOUR + i);
    }
    store.commit();
    List<long[]> checkpoints = new ArrayList<>();
    try (EventScan scan = EventScan.open(db);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      Hunter.run(
          scan,
          plan("kind = exec", NOW - 24 * HOUR, NOW, 100, Set.of(), 1000, Duration.ofMinutes(5)),
          HOSTS,
          r -> {
            if (checkpoints.isEmpty()) {
              // The hunt is "waiting for its client" here: ingest goes on, and a checkpoint of
              // the whole WAL (which a reader's snapshot would hold back) completes.
              put(web, SampleEvents.exec(NOW - 5, proc("later", "x"), proc("p", "bash")), NOW - 5);
              store.commit();
              try (Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                rs.next();
                checkpoints.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)});
              } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
              }
            }
            return true;
          },
          () -> false);
    }
    assertEquals(1, checkpoints.size());
    assertEquals(0, checkpoints.get(0)[0], "the checkpoint was blocked by the hunt (busy)");
    assertEquals(checkpoints.get(0)[1], checkpoints.get(0)[2]);
  }
}
