package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertQueryTest {
  private static final long S = 1_000_000_000L;

  @TempDir Path dir;
  private Path db;
  private long a1;
  private long a2;
  private long a3;
  private long a4;
  private long streamA;
  private long streamB;

  @BeforeEach
  void fourAlertsOnTwoHosts() throws Exception {
    db = dir.resolve("vigil.db");
    try (AlertFixture f = AlertFixture.create(db)) {
      f.agent("agent-a", "web-1");
      f.agent("agent-b", "db-1");
      streamA = f.stream("agent-a", "e1");
      streamB = f.stream("agent-b", "e1");
      a1 =
          f.alert(
              "agent-a",
              streamA,
              1,
              Map.of("level", "low", "title", "Curl to paste site", "event_time_ns", 1 * S));
      a2 =
          f.alert(
              "agent-a",
              streamA,
              2,
              Map.of(
                  "level", "high",
                  "state", "acknowledged",
                  "source", "intel",
                  "rule_id", "intel:domain:evil.example",
                  "title", "Known C2 domain",
                  "event_time_ns", 2 * S));
      a3 =
          f.alert(
              "agent-b",
              streamB,
              3,
              Map.of(
                  "level", "critical",
                  "state", "closed",
                  "source", "correlation",
                  "rule_id", "r9",
                  "title", "SSH Brute Force",
                  "event_time_ns", 10 * S,
                  "first_event_time_ns", 3 * S,
                  "last_event_time_ns", 10 * S,
                  "count", 5));
      Map<String, Object> none = new HashMap<>();
      none.put("level", null);
      none.put("event_time_ns", 4 * S);
      a4 = f.alert("agent-b", streamB, 4, none);
    }
  }

  private List<Long> ids(AlertQuery q) {
    try (StoreReader r = EventStore.openReadOnly(db)) {
      return r.alerts(q).stream().map(AlertRow::id).toList();
    }
  }

  private static AlertQuery all() {
    return AlertQuery.open(50).withStates(Set.of());
  }

  @Test
  void openAlertsNewestFirstByDefault() {
    assertEquals(List.of(a4, a2, a1), ids(AlertQuery.open(50)));
    assertEquals(List.of(a4, a3, a2, a1), ids(all()));
    assertEquals(List.of(a3), ids(all().withStates(Set.of("closed"))));
    assertEquals(List.of(a4, a3), ids(all().withLimit(2)));
  }

  @Test
  void filtersByLevelHostRuleSourceAndEventTime() {
    assertEquals(List.of(a3, a2), ids(all().withMinLevel("high")), "no level is below any");
    assertEquals(List.of(a3, a2, a1), ids(all().withMinLevel("informational")));
    assertEquals(List.of(a4, a3), ids(all().withHost("db-1")));
    assertEquals(List.of(a2, a1), ids(all().withHost("agent-a")), "agent id works too");
    assertEquals(List.of(a3), ids(all().withRule("r9")));
    assertEquals(List.of(a3), ids(all().withRule("brute")), "title part, any case");
    assertEquals(List.of(a2), ids(all().withSource("intel")));
    // a3 matched from 3 s to 10 s: it overlaps both windows.
    assertEquals(List.of(a4, a3), ids(all().withSince(3 * S + S / 2)));
    assertEquals(List.of(a3, a2, a1), ids(all().withUntil(3 * S)));
    assertEquals(List.of(a3), ids(all().withSince(5 * S).withUntil(9 * S)));
  }

  @Test
  void rowsCarryTriageAndCountColumnsAndHostFallsBackToTheAgent() {
    try (StoreReader r = EventStore.openReadOnly(db)) {
      AlertRow row = r.alerts(all().withRule("r9")).get(0);
      assertEquals("db-1", row.hostname());
      assertEquals("correlation", row.source());
      assertEquals("closed", row.state());
      assertEquals(5, row.count());
      assertEquals(3 * S, row.firstEventTimeNs());
      assertEquals(10 * S, row.lastEventTimeNs());
      AlertRow plain = r.alerts(all().withRule("Curl")).get(0);
      assertEquals(1 * S, plain.firstEventTimeNs(), "no first time stored: the event's");
      assertEquals("sigma", plain.source());
      assertEquals("new", plain.state());
    }
  }

  @Test
  void queryRefusesUnknownStatesLevelsAndSources() {
    assertThrows(IllegalArgumentException.class, () -> all().withStates(Set.of("open")));
    assertThrows(IllegalArgumentException.class, () -> all().withMinLevel("severe"));
    assertThrows(IllegalArgumentException.class, () -> all().withSource("yara"));
    assertThrows(IllegalArgumentException.class, () -> all().withLimit(0));
  }

  @Test
  void detailHasMembersHistoryAndTheProcessEventsAreOneQueryAway() throws Exception {
    ProcessRef shell = AlertFixture.process("P1", 100, "/bin/bash", "bash", "alice");
    ProcessRef curl = AlertFixture.process("P2", 200, "/usr/bin/curl", "curl x", "alice");
    long alert;
    try (AlertFixture f = AlertFixture.create(db)) {
      f.event(streamA, AlertFixture.exec(20, curl, shell), "P2");
      f.event(streamA, AlertFixture.file(21, curl, "/tmp/a"), "P2");
      f.event(streamA, AlertFixture.file(22, shell, "/tmp/b"), "P1");
      f.event(streamA, AlertFixture.file(23, curl, "/tmp/c"), "P2");
      f.event(streamB, AlertFixture.file(24, curl, "/tmp/other-host"), "P2");
      alert =
          f.alert(
              "agent-a",
              streamA,
              23,
              Map.of("entity_id", "P2", "source", "correlation", "event_time_ns", 23 * S));
      f.alertEvent(alert, streamA, 20, 20 * S, "member");
      f.alertEvent(alert, streamA, 21, 21 * S, "member");
      f.alertEvent(alert, streamA, 99, 19 * S, "folded"); // its event row is gone
    }
    try (TriageStore t = TriageStore.open(db, () -> 7)) {
      t.ack(alert, "alice", null);
      t.note(alert, "bob", "seen");
    }
    try (StoreReader r = EventStore.openReadOnly(db)) {
      AlertDetail d = r.alert(alert).orElseThrow();
      assertEquals(23, d.alert().seq());
      assertEquals("acknowledged", d.alert().state());
      assertEquals(7, d.alert().updatedNs());
      assertEquals(3, d.eventCount());
      assertEquals(List.of(99L, 20L, 21L), d.events().stream().map(RelatedEvent::seq).toList());
      assertTrue(d.events().get(0).event().isEmpty());
      assertEquals("member", d.events().get(1).role());
      assertEquals(
          "/usr/bin/curl",
          d.events().get(1).event().orElseThrow().getProcessExec().getProcess().getImage());
      assertEquals(List.of("ack", "note"), d.history().stream().map(AlertChange::action).toList());
      assertEquals("bob", d.history().get(1).actor());

      List<RelatedEvent> same = r.eventsOfProcess("agent-a", "e1", "P2", 23, 20);
      assertEquals(List.of(23L, 21L, 20L), same.stream().map(RelatedEvent::seq).toList());
      assertEquals(
          List.of(23L, 21L),
          r.eventsOfProcess("agent-a", "e1", "P2", 23, 2).stream().map(RelatedEvent::seq).toList());
      assertEquals(
          List.of(24L),
          r.eventsOfProcess("agent-b", "e1", "P2", 24, 20).stream()
              .map(RelatedEvent::seq)
              .toList());
      assertTrue(r.alert(alert + 100).isEmpty());
    }
  }

  @Test
  void theProcessEventsAreLookedForWithinAWindowOfTheAlertAndNotBeforeTheExec() throws Exception {
    ProcessRef shell = AlertFixture.process("P1", 100, "/bin/bash", "bash", "alice");
    ProcessRef daemon = AlertFixture.process("P9", 900, "/usr/sbin/daemon", "daemon", "root");
    long w = StoreReader.PROCESS_EVENT_WINDOW;
    try (AlertFixture f = AlertFixture.create(db)) {
      f.event(streamA, AlertFixture.file(5, daemon, "/tmp/before-exec"), "P9");
      f.event(streamA, AlertFixture.exec(10, daemon, shell), "P9");
      f.process("agent-a", "P9", streamA, 10);
      f.event(streamA, AlertFixture.file(11, daemon, "/tmp/early"), "P9");
      f.event(streamA, AlertFixture.file(10 + 2 * w, daemon, "/tmp/late"), "P9");
      f.event(streamA, AlertFixture.file(10 + 3 * w, daemon, "/tmp/later"), "P9");
    }
    try (StoreReader r = EventStore.openReadOnly(db)) {
      // Around the exec: from the exec on (the earlier event of the reused entity is not it).
      assertEquals(
          List.of(11L, 10L),
          r.eventsOfProcess("agent-a", "e1", "P9", 11, 20).stream()
              .map(RelatedEvent::seq)
              .toList());
      // Around a late event: only what lies within the window.
      assertEquals(
          List.of(10 + 3 * w, 10 + 2 * w),
          r.eventsOfProcess("agent-a", "e1", "P9", 10 + 2 * w + w / 2, 20).stream()
              .map(RelatedEvent::seq)
              .toList());
    }
  }
}
