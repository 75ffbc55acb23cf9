package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.batch;
import static io.vigil.collector.ingest.TestEvents.gap;
import static io.vigil.collector.ingest.TestEvents.hello;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.detection.Detection;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.store.AgentHealthRow;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.store.TriageResult;
import io.vigil.collector.store.TriageStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.TamperNotice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health and tamper alerts, raised through the real ingest path on a real store file. */
class HealthAlertsIngestTest {
  private static final String AGENT = "agent-health";
  private static final long MINUTE_NS = 60_000_000_000L;

  @TempDir Path dir;

  private final Set<String> connected = ConcurrentHashMap.newKeySet();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private EventStore store;
  private IngestService ingest;

  /** Silent after a millisecond (the tests call the check themselves), skew up to 2 minutes. */
  private void start() {
    start(IngestOptions.defaults());
  }

  private void start(IngestOptions options) {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest =
        new IngestService(
            store,
            options,
            metrics,
            List.of(),
            Detection.none(metrics),
            List.of(new JsonlAlertOutput(dir.resolve("alerts.jsonl"))),
            FimOptions.defaults(),
            new HealthOptions(Duration.ofMillis(1), Duration.ofHours(1), Duration.ofMinutes(2)),
            () -> Set.copyOf(connected));
  }

  @AfterEach
  void close() {
    if (ingest != null) {
      ingest.close();
      store.close();
    }
  }

  @Test
  void aHelloWithAnotherEpochRaisesNewEpochOnTheNewStreamWithoutAnEvent() throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    ingest.submit(AGENT, "e1", batch(1, 5), now()).get();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get(); // a reconnect: no alert
    assertEquals(List.of(), alerts());

    Hello wiped = hello(AGENT, "e2").toBuilder().setLastSpooledSeq(40).build();
    ingest.openStream(AGENT, "e2", wiped, now()).get();
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    AlertRow a = alerts.get(0);
    assertEquals(HealthAlerts.NEW_EPOCH, a.ruleId());
    assertEquals("health", a.source());
    assertEquals("builtin:health", a.ruleOrigin());
    assertEquals("high", a.level());
    assertEquals("e2", a.epoch());
    assertEquals(-1, a.seq()); // a pseudo-seq of its own, not an event's
    assertEquals(0, a.eventKind());
    assertNull(a.eventPayload());
    assertTrue(
        a.matchedFieldsJson().contains("\"previous_epoch\":[\"e1\"]"), a.matchedFieldsJson());
    assertTrue(
        a.matchedFieldsJson().contains("\"previous_epoch_stored_seq\":[\"5\"]"),
        a.matchedFieldsJson());
    assertTrue(a.tagsJson().contains("attack.t1070"), a.tagsJson());
    AgentHealthRow h = health();
    assertEquals(40, h.spooledSeq());
    assertEquals("e2", h.currentEpoch());
    assertEquals(0, h.storedSeq());
    // The alert outputs get it like any other alert.
    String jsonl = Files.readString(dir.resolve("alerts.jsonl"));
    assertTrue(jsonl.contains(HealthAlerts.NEW_EPOCH), jsonl);
  }

  @Test
  void anAgentNotConnectedAndQuietIsSilentOnceUntilHeardAgainAndRevokedOnesNever()
      throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    ingest.submit(AGENT, "e1", batch(1, 3), now()).get();
    ingest.openStream("agent-live", "e1", hello("agent-live", "e1"), now()).get();
    ingest.openStream("agent-revoked", "e1", hello("agent-revoked", "e1"), now()).get();
    revoke("agent-revoked");
    connected.add("agent-live");
    Thread.sleep(20); // past the 1 ms threshold

    assertEquals(1, ingest.checkSilence().get());
    assertEquals(0, ingest.checkSilence().get()); // one alert per silence
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    AlertRow a = alerts.get(0);
    assertEquals(HealthAlerts.SILENT, a.ruleId());
    assertEquals(AGENT, a.agentId());
    assertEquals("e1", a.epoch());
    assertEquals(-1, a.seq()); // a pseudo-seq of its own: no event carries it
    assertEquals(0, a.eventKind());
    assertNull(a.eventPayload(), "the event at the watermark is not the alert's");
    assertTrue(health().silentSinceNs() > 0);

    // Heard from again: the silence ends; a later one is declared again (folded into the alert
    // within the suppression window, so a flapping agent does not flood).
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    assertEquals(0, health().silentSinceNs());
    ingest.submit(AGENT, "e1", batch(4, 4), now()).get();
    Thread.sleep(20);
    assertEquals(1, ingest.checkSilence().get());
    alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    assertEquals(2, alerts.get(0).count());
  }

  @Test
  void aSecondSilenceAtAnUnchangedWatermarkRaisesAgainOrFoldsButIsNeverLost() throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    ingest.submit(AGENT, "e1", batch(1, 3), now()).get();
    Thread.sleep(20);
    assertEquals(1, ingest.checkSilence().get());
    long first = rule(alerts(), HealthAlerts.SILENT).id();
    try (TriageStore triage = TriageStore.open(dir.resolve("vigil.db"), TestEvents::now)) {
      assertTrue(
          triage.close(first, "analyst", "back online", null) instanceof TriageResult.Changed);
    }
    // Back without sending an event (the watermark stays at 3), then silent again.
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    Thread.sleep(20);
    assertEquals(1, ingest.checkSilence().get());
    List<AlertRow> alerts = alerts();
    assertEquals(2, alerts.size(), "the first alert is closed: a second one " + alerts);
    AlertRow second = alerts.stream().filter(a -> a.id() != first).findFirst().orElseThrow();
    assertEquals(HealthAlerts.SILENT, second.ruleId());
    assertEquals("new", second.state());
    assertEquals(-2, second.seq());
    assertEquals(2.0, metrics.value("vigil_collector_alerts_stored_total", "level", "medium"));
    // Once more at the same watermark, the second alert open: folded into it, counted.
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    Thread.sleep(20);
    assertEquals(1, ingest.checkSilence().get());
    alerts = alerts();
    assertEquals(2, alerts.size(), alerts.toString());
    assertEquals(
        2, alerts.stream().filter(a -> a.id() == second.id()).findFirst().orElseThrow().count());
  }

  @Test
  void aSecondClockSkewEpisodeAtAnUnchangedWatermarkIsNotLost() throws Exception {
    start();
    long ahead = 5 * MINUTE_NS;
    Hello skewed = hello(AGENT, "e1").toBuilder().setSentTimeNs(now() + ahead).build();
    ingest.openStream(AGENT, "e1", skewed, now()).get();
    long first = rule(alerts(), HealthAlerts.CLOCK_SKEW).id();
    try (TriageStore triage = TriageStore.open(dir.resolve("vigil.db"), TestEvents::now)) {
      assertTrue(triage.close(first, "analyst", "ntp fixed", null) instanceof TriageResult.Changed);
    }
    ingest
        .openStream(AGENT, "e1", hello(AGENT, "e1").toBuilder().setSentTimeNs(now()).build(), now())
        .get();
    ingest
        .openStream(AGENT, "e1", skewed.toBuilder().setSentTimeNs(now() - ahead).build(), now())
        .get();
    List<AlertRow> alerts = alerts();
    assertEquals(2, alerts.size(), alerts.toString());
    assertTrue(alerts.stream().allMatch(a -> a.ruleId().equals(HealthAlerts.CLOCK_SKEW)));
  }

  @Test
  void aCollectorAlertGoesThroughTheStageToTheOutputsAndMetricsAndFolds() throws Exception {
    start();
    long id = ingest.raiseCollectorAlert(HealthAlerts.diskFull("/var/lib/vigil", 1024, 4096)).get();
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    AlertRow a = alerts.get(0);
    assertEquals(id, a.id());
    assertEquals(HealthAlerts.DISK_FULL, a.ruleId());
    assertEquals(HealthAlerts.COLLECTOR, a.agentId());
    assertEquals(HealthAlerts.COLLECTOR, a.epoch());
    assertEquals(0, a.eventKind());
    assertEquals(-1, a.seq());
    assertEquals("high", a.level());
    assertTrue(a.matchedFieldsJson().contains("\"free_bytes\":[\"1024\"]"), a.matchedFieldsJson());
    assertEquals(1.0, metrics.value("vigil_collector_alerts_stored_total", "level", "high"));
    String jsonl = Files.readString(dir.resolve("alerts.jsonl"));
    assertTrue(jsonl.contains(HealthAlerts.DISK_FULL), jsonl);
    assertTrue(jsonl.contains("\"seq\":-1,"), "the output names the stored pseudo-seq: " + jsonl);
    // A second episode within the suppression window folds into the open alert, counted.
    assertEquals(
        id, ingest.raiseCollectorAlert(HealthAlerts.diskFull("/var/lib/vigil", 10, 4096)).get());
    assertEquals(2, alerts().get(0).count());
    ingest.noteCollectorAlert(id, "batches accepted again").get();
    try (StoreReader r = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      assertEquals("batches accepted again", r.alert(id).orElseThrow().history().get(0).note());
    }
    // The collector is not an agent: not listed, and no agent may claim its id.
    try (StoreReader r = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      assertTrue(r.agentHealth().stream().noneMatch(h -> h.agentId().equals("collector")));
    }
    ExecutionException refused =
        assertThrows(
            ExecutionException.class,
            () -> ingest.submitCommandResults("collector", List.of(), now()).get());
    assertTrue(refused.getCause().getMessage().contains("reserved"), refused.toString());
    IllegalArgumentException hello =
        assertThrows(
            IllegalArgumentException.class,
            () -> ingest.openStream("collector", "e1", hello("collector", "e1"), now()));
    assertTrue(hello.getMessage().contains("reserved"), hello.getMessage());
    ExecutionException batch =
        assertThrows(
            ExecutionException.class,
            () -> ingest.submit("collector", "e1", batch(1, 1), now()).get());
    assertTrue(batch.getCause().getMessage().contains("reserved"), batch.toString());
  }

  @Test
  void anUncleanRestartAndTamperNoticesRaiseAlertsOnTheStatusAndItIsKeptAsTheNewest()
      throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    long t = now();
    AgentStatus status =
        AgentStatus.newBuilder()
            .setUptimeNs(5_000_000_000L)
            .setStart(
                AgentStart.newBuilder()
                    .setStartedNs(t - 5_000_000_000L)
                    .setPreviousStop(AgentStart.PreviousStop.PREVIOUS_STOP_UNCLEAN)
                    .setDetail("no clean-stop record"))
            .addTampers(tamper("audit_rules_removed", "7 of 12 audit rules with key vigil missing"))
            .addTampers(tamper("audit_rules_removed", "2 more missing"))
            .addTampers(tamper("containment_table_removed", "table inet vigil deleted"))
            .addTampers(tamper("\u001b[2Jrootkit_was_here", "x".repeat(10_000)))
            .build();
    Event e = status(1, t, status);
    ingest.submit(AGENT, "e1", TestEvents.of(e), now()).get();

    List<AlertRow> alerts = alerts();
    assertEquals(
        Set.of(
            HealthAlerts.RESTART_UNEXPECTED,
            "vigil-tamper-audit-rules-removed",
            "vigil-tamper-containment-table-removed",
            HealthAlerts.TAMPER_OTHER),
        Set.copyOf(alerts.stream().map(AlertRow::ruleId).toList()),
        alerts.toString());
    for (AlertRow a : alerts) {
      assertEquals(1, a.seq());
      assertEquals(Event.PayloadCase.AGENT_STATUS.getNumber(), a.eventKind());
      assertEquals("health", a.source());
      if (a.ruleId().startsWith("vigil-tamper-")) {
        assertEquals("high", a.level());
        assertTrue(a.tagsJson().contains("attack.t1562.001"), a.tagsJson());
      }
    }
    AlertRow audit = rule(alerts, "vigil-tamper-audit-rules-removed");
    assertTrue(audit.matchedFieldsJson().contains("2 more missing"), audit.matchedFieldsJson());
    assertTrue(audit.tagsJson().contains("attack.t1562.012"), audit.tagsJson());
    AlertRow other = rule(alerts, HealthAlerts.TAMPER_OTHER);
    assertTrue(other.matchedFieldsJson().contains("\\u001b[2Jrootkit"), other.matchedFieldsJson());
    assertTrue(other.matchedFieldsJson().length() < 2000, "the detail is bounded");

    assertArrayEquals(e.toByteArray(), health().lastStatus());
    assertEquals(t, health().lastStatusNs());
    // An older status arriving later (a backlog) is stored but does not replace the newest.
    Event older = status(2, t - MINUTE_NS, AgentStatus.newBuilder().setUptimeNs(1).build());
    ingest.submit(AGENT, "e1", TestEvents.of(older), now()).get();
    assertEquals(t, health().lastStatusNs());
    // A clean start raises nothing.
    Event clean =
        status(
            3,
            t + 1,
            AgentStatus.newBuilder()
                .setStart(
                    AgentStart.newBuilder()
                        .setPreviousStop(AgentStart.PreviousStop.PREVIOUS_STOP_CLEAN))
                .build());
    ingest.submit(AGENT, "e1", TestEvents.of(clean), now()).get();
    assertEquals(4, alerts().size());
    assertEquals(t + 1, health().lastStatusNs());
    assertEquals(3, health().spooledSeq());
  }

  @Test
  void gapsAndHolesDeclaredLostRaiseEventsLost() throws Exception {
    start(IngestOptions.defaults().withHoleGrace(Duration.ofMinutes(2)));
    ingest.submit(AGENT, "e1", batch(1, 10), now()).get();
    ingest.submit(AGENT, "e1", TestEvents.of(gap(11, 3, 4)), now()).get();
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    assertEquals(HealthAlerts.EVENTS_LOST, alerts.get(0).ruleId());
    assertEquals(11, alerts.get(0).seq());
    assertEquals(Event.PayloadCase.GAP.getNumber(), alerts.get(0).eventKind());
    assertTrue(alerts.get(0).matchedFieldsJson().contains("REASON_SPOOL_CAP"));

    // A hole no Gap explains, past its grace period: declared lost, on a pseudo-seq of its own.
    long longAgo = now() - 10 * MINUTE_NS;
    EventBatch late = batch(30, 31).toBuilder().setSentTimeNs(longAgo).build();
    ingest
        .submit("agent-hole", "e1", batch(1, 5).toBuilder().setSentTimeNs(longAgo).build(), longAgo)
        .get();
    ingest.submit("agent-hole", "e1", late, longAgo).get();
    assertEquals(1, ingest.checkContinuity().get());
    AlertRow hole = rule(alerts(), HealthAlerts.EVENTS_LOST, "agent-hole");
    assertEquals(-1, hole.seq());
    assertEquals(0, hole.eventKind());
    assertEquals("high", hole.level());
    assertTrue(hole.matchedFieldsJson().contains("\"6..29\""), hole.matchedFieldsJson());
  }

  @Test
  void clockSkewIsReportedOncePerEpisode() throws Exception {
    start();
    long ahead = 5 * MINUTE_NS;
    Hello skewed = hello(AGENT, "e1").toBuilder().setSentTimeNs(now() + ahead).build();
    ingest.openStream(AGENT, "e1", skewed, now()).get();
    assertEquals(1, alerts().size());
    AlertRow a = alerts().get(0);
    assertEquals(HealthAlerts.CLOCK_SKEW, a.ruleId());
    assertTrue(a.matchedFieldsJson().contains("ahead"), a.matchedFieldsJson());
    // Still skewed: the same episode.
    ingest.submit(AGENT, "e1", sent(batch(1, 2), now() + ahead), now()).get();
    assertEquals(1, alerts().size());
    assertEquals(1, alerts().get(0).count());
    // Back within the limit, then skewed again: a new episode (folded into the open alert within
    // the suppression window).
    ingest.submit(AGENT, "e1", sent(batch(3, 3), now()), now()).get();
    ingest.submit(AGENT, "e1", sent(batch(4, 4), now() - ahead), now()).get();
    assertEquals(1, alerts().size());
    assertEquals(2, alerts().get(0).count());
  }

  @Test
  void anOpenSkewAlertStandsForTheEpisodeAfterARestart() throws Exception {
    start();
    long ahead = 5 * MINUTE_NS;
    ingest
        .openStream(
            AGENT, "e1", hello(AGENT, "e1").toBuilder().setSentTimeNs(now() + ahead).build(), now())
        .get();
    close();
    start();
    ingest.submit(AGENT, "e1", sent(batch(1, 1), now() + ahead), now()).get();
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size());
    assertEquals(1, alerts.get(0).count());
    assertFalse(alerts.get(0).state().equals("closed"));
  }

  private static AgentStatus budget(AgentBudget.Level level, long episodes) {
    return AgentStatus.newBuilder()
        .setBudget(
            AgentBudget.newBuilder()
                .setLevel(level)
                .setReason(
                    level == AgentBudget.Level.LEVEL_NORMAL
                        ? ""
                        : "CPU 71% of one core over 30s, budget 50%")
                .setCpuBudgetPercent(50)
                .setCpuPercent(71)
                .setShedEvents(level == AgentBudget.Level.LEVEL_SHEDDING ? 1234 : 0)
                .addReductions("packet: flows only, no DNS/HTTP/TLS parsing")
                .setEpisodes(episodes))
        .build();
  }

  @Test
  void overBudgetIsRaisedOnceAnEpisodeAtSheddingAndNeverForReducedDetailAlone() throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    long seq = 0;
    AgentBudget.Level normal = AgentBudget.Level.LEVEL_NORMAL;
    AgentBudget.Level reduced = AgentBudget.Level.LEVEL_REDUCED;
    AgentBudget.Level shedding = AgentBudget.Level.LEVEL_SHEDDING;
    ingest
        .submit(AGENT, "e1", TestEvents.of(status(++seq, now(), budget(reduced, 1))), now())
        .get();
    assertEquals(List.of(), alerts(), "reduced detail loses no events: no alert");
    ingest
        .submit(AGENT, "e1", TestEvents.of(status(++seq, now(), budget(shedding, 1))), now())
        .get();
    List<AlertRow> alerts = alerts();
    assertEquals(1, alerts.size(), alerts.toString());
    AlertRow a = alerts.get(0);
    assertEquals(HealthAlerts.OVER_BUDGET, a.ruleId());
    assertEquals("medium", a.level());
    assertEquals(seq, a.seq(), "anchored on the status that said so");
    assertTrue(a.matchedFieldsJson().contains("\"level\":[\"SHEDDING\"]"), a.matchedFieldsJson());
    assertTrue(a.matchedFieldsJson().contains("CPU 71% of one core"), a.matchedFieldsJson());
    assertTrue(a.matchedFieldsJson().contains("\"shed_events\":[\"1234\"]"), a.matchedFieldsJson());
    // The same episode: still shedding, back to reduced, shedding again.
    for (AgentBudget.Level l : List.of(shedding, reduced, shedding)) {
      ingest.submit(AGENT, "e1", TestEvents.of(status(++seq, now(), budget(l, 1))), now()).get();
    }
    assertEquals(1, alerts().size());
    assertEquals(1, alerts().get(0).count());
    // Back to normal, then a second episode: raised again (folded into the open alert).
    for (AgentBudget.Level l : List.of(normal, reduced, shedding)) {
      long episodes = l == normal ? 1 : 2;
      ingest
          .submit(AGENT, "e1", TestEvents.of(status(++seq, now(), budget(l, episodes))), now())
          .get();
    }
    assertEquals(1, alerts().size());
    assertEquals(2, alerts().get(0).count());
  }

  @Test
  void anOpenOverBudgetAlertStandsForTheEpisodeAfterACollectorRestart() throws Exception {
    start();
    ingest.openStream(AGENT, "e1", hello(AGENT, "e1"), now()).get();
    AgentBudget.Level shedding = AgentBudget.Level.LEVEL_SHEDDING;
    ingest.submit(AGENT, "e1", TestEvents.of(status(1, now(), budget(shedding, 1))), now()).get();
    close();
    start();
    ingest.submit(AGENT, "e1", TestEvents.of(status(2, now(), budget(shedding, 1))), now()).get();
    assertEquals(1, alerts().size());
    assertEquals(1, alerts().get(0).count());
  }

  private static EventBatch sent(EventBatch b, long sentNs) {
    return b.toBuilder().setSentTimeNs(sentNs).build();
  }

  private static TamperNotice tamper(String kind, String detail) {
    return TamperNotice.newBuilder()
        .setKind(kind)
        .setDetail(detail)
        .setDetectedNs(now())
        .setRestored(true)
        .build();
  }

  private static Event status(long seq, long timeNs, AgentStatus s) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(timeNs)
        .setSensor("agent")
        .setAgentStatus(s)
        .build();
  }

  private List<AlertRow> alerts() {
    try (StoreReader r = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      return r.latestAlerts(100);
    }
  }

  private AgentHealthRow health() {
    try (StoreReader r = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      return r.agentHealth().stream()
          .filter(h -> h.agentId().equals(AGENT))
          .findFirst()
          .orElseThrow();
    }
  }

  private static AlertRow rule(List<AlertRow> alerts, String ruleId) {
    return rule(alerts, ruleId, AGENT);
  }

  private static AlertRow rule(List<AlertRow> alerts, String ruleId, String agentId) {
    return alerts.stream()
        .filter(a -> a.ruleId().equals(ruleId) && a.agentId().equals(agentId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + ruleId + " in " + alerts));
  }

  private void revoke(String agentId) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vigil.db"));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout=10000");
      s.executeUpdate(
          "INSERT INTO enrolled_agents(agent_id, hostname, token_id, enrolled_ns, revoked_ns,"
              + " revoked_by, revoke_reason) VALUES('"
              + agentId
              + "', 'h', 't', 1, 2, 'admin', 'gone')");
    }
  }
}
