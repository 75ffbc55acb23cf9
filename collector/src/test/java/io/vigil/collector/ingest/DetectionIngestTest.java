package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.exec;
import static io.vigil.collector.ingest.TestEvents.hello;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.detection.EventDetector;
import io.vigil.collector.detection.RuleLoadException;
import io.vigil.collector.detection.TestRules;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events through the real ingest path with a rule loaded: alerts stored with their events. */
class DetectionIngestTest {
  private static final String AGENT = "agent-detect";
  private static final String EPOCH = "e1";
  private static final String ALERTS = "vigil_collector_alerts_stored_total";

  @TempDir Path dir;
  private Function<MetricsRegistry, EventDetector> detector;

  @BeforeEach
  void writeRule() throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    DetectionSection section = new DetectionSection(true, false, List.of(rules));
    detector =
        metrics -> {
          try {
            return DetectionStart.start(section, metrics);
          } catch (RuleLoadException e) {
            throw new AssertionError(e);
          }
        };
  }

  private static final Event DECODE = exec(1, "/usr/bin/base64", "base64 -d /tmp/payload");
  private static final Event HARMLESS = exec(2, "/usr/bin/base64", "base64 /tmp/payload");
  private static final Event DECODE_AGAIN = exec(3, "/usr/bin/base64", "base64 -d -i x");

  @Test
  void aMatchingEventIsStoredWithItsAlertAndOtherEventsWithout() throws Exception {
    try (IngestFixture f = new IngestFixture(dir, detector)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      long received = now();
      f.ingest.submit(AGENT, EPOCH, TestEvents.of(DECODE, HARMLESS, DECODE_AGAIN), received).get();

      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(3, reader.countEvents());
        List<AlertRow> alerts = reader.latestAlerts(10);
        assertEquals(List.of(1L, 3L), alerts.stream().map(AlertRow::seq).toList());
        AlertRow a = alerts.get(0);
        assertEquals(AGENT, a.agentId());
        assertEquals("web-1", a.hostname());
        assertEquals(EPOCH, a.epoch());
        assertEquals(10, a.eventKind(), "EVENT_KIND_PROCESS_EXEC");
        assertEquals(DECODE.getEventTimeNs(), a.eventTimeNs());
        assertEquals(received, a.storedNs());
        assertEquals(TestRules.BASE64_DECODE_ID, a.ruleId());
        assertEquals("Test base64 decode", a.title());
        assertEquals("low", a.level());
        assertEquals("[\"attack.t1027\"]", a.tagsJson());
        assertEquals(
            "{\"CommandLine\":[\"base64 -d /tmp/payload\"],\"Image\":[\"/usr/bin/base64\"]}",
            a.matchedFieldsJson());
        assertEquals(dir.resolve("rules/base64.yml").toString(), a.ruleOrigin());
        assertArrayEquals(DECODE.toByteArray(), a.eventPayload(), "the event is one join away");
        assertTrue(alerts.get(1).id() > a.id());
      }
      assertEquals(2, f.counter(ALERTS, "level", "low"));
      assertEquals(3, f.counter("vigil_collector_detection_events_evaluated_total"));
      assertEquals(1, f.counter("vigil_collector_detection_rules_active"));
    }
  }

  @Test
  void reSentAndOverlappingBatchesAddNoSecondAlertEvenAfterARestart() throws Exception {
    EventBatch batch = TestEvents.of(DECODE, HARMLESS, DECODE_AGAIN);
    try (IngestFixture f = new IngestFixture(dir, detector)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      f.ingest.submit(AGENT, EPOCH, batch, now()).get();
      f.ingest.submit(AGENT, EPOCH, batch, now()).get();
      f.ingest
          .submit(
              AGENT, EPOCH, TestEvents.of(DECODE_AGAIN, exec(4, "/bin/base64", "base64 -d")), now())
          .get();
      assertEquals(3, f.counter(ALERTS, "level", "low"), "alerts of stored events only");
    }
    try (IngestFixture f = new IngestFixture(dir, detector)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      f.ingest.submit(AGENT, EPOCH, batch, now()).get();
      assertEquals(0, f.counter(ALERTS, "level", "low"));
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(4, reader.countEvents());
        assertEquals(
            List.of(1L, 3L, 4L), reader.latestAlerts(10).stream().map(AlertRow::seq).toList());
      }
    }
  }

  @Test
  void aDeadLetteredEventRaisesNoAlert() throws Exception {
    try (IngestFixture f = new IngestFixture(dir, detector)) {
      // Matches the rule, but carries the wrong seq: dead-lettered, so no alert.
      Event wrongSeq = exec(99, "/usr/bin/base64", "base64 -d /tmp/payload");
      EventBatch batch =
          TestEvents.raw(
              1,
              List.of(
                  wrongSeq.toByteString(),
                  exec(2, "/usr/bin/base64", "base64 -d /tmp/other").toByteString()));
      f.ingest.submit(AGENT, EPOCH, batch, now()).get();
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(1, reader.deadLetters().size());
        assertEquals(List.of(2L), reader.latestAlerts(10).stream().map(AlertRow::seq).toList());
      }
    }
  }

  @Test
  void anAlertThatCannotBeStoredRollsBackItsEventSoTheReSendStoresBoth() throws Exception {
    try (IngestFixture f = new IngestFixture(dir, detector)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      sql(
          f.file,
          "CREATE TRIGGER vigil_test_fail BEFORE INSERT ON alerts"
              + " BEGIN SELECT RAISE(ABORT, 'injected alert failure'); END");
      EventBatch batch = TestEvents.of(DECODE);
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> f.ingest.submit(AGENT, EPOCH, batch, now()).get());
      assertTrue(
          String.valueOf(e.getCause().getCause()).contains("injected alert failure"), e.toString());
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(0, reader.countEvents(), "the event went with its alert");
        assertEquals(0, reader.countAlerts());
      }

      sql(f.file, "DROP TRIGGER vigil_test_fail");
      // The agent reconnects and re-sends from the committed watermark.
      assertEquals(0L, f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get());
      assertEquals(1L, f.ingest.submit(AGENT, EPOCH, batch, now()).get());
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(1, reader.countEvents());
        List<AlertRow> alerts = reader.latestAlerts(10);
        assertEquals(1, alerts.size());
        assertEquals(1L, alerts.get(0).seq());
      }
    }
  }

  @Test
  void withoutDetectionEventsAreStoredWithoutAlerts() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      f.ingest.submit(AGENT, EPOCH, TestEvents.of(DECODE), now()).get();
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(1, reader.countEvents());
        assertEquals(0, reader.countAlerts());
      }
      assertNull(f.metrics.countersByLabel(ALERTS).get("level=\"low\""));
    }
  }

  private static void sql(Path db, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA busy_timeout=10000");
      st.execute(statement);
    }
  }
}
