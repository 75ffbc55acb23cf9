package io.vigil.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.config.IntelSection;
import io.vigil.collector.detection.Detection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.detection.TestRules;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert workflow through the real ingest path: suppression folds identical matches into one
 * alert with a count, a Sigma filter file silences exactly the events it names, the allow-list
 * silences by host, a threat-intel hit names its indicator and source, every alert carries the
 * process with its parent chain, and the JSONL output has one line per raised alert.
 */
class AlertWorkflowIngestTest {
  private static final String AGENT = "agent-wf";
  private static final String EPOCH = "e1";
  private static final long T0 = 1_790_000_000_000_000_000L;

  @TempDir Path dir;

  private Run start(List<Path> filters, Optional<Path> allowList, List<Path> intel)
      throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    DetectionSection section =
        new DetectionSection(
            true,
            false,
            List.of(rules),
            filters,
            allowList,
            Duration.ofSeconds(60),
            100_000,
            Duration.ofSeconds(60));
    return new Run(section, new IntelSection(intel, Duration.ZERO));
  }

  @Test
  void aThousandIdenticalMatchesInAMinuteGiveOneAlertWithACount() throws Exception {
    try (Run run = start(List.of(), Optional.empty(), List.of())) {
      List<Event> events = new ArrayList<>();
      // A shell and its parent first, so the chain has rows to walk.
      events.add(exec(1, 0, "sshd-1", 500, "/usr/sbin/sshd", "sshd: alice [priv]", -1, ""));
      events.add(exec(2, 1, "bash-1", 501, "/usr/bin/bash", "-bash", 7, "sshd-1"));
      for (int i = 0; i < 1000; i++) {
        // 1,000 runs of the same decode within 50 s (one every 50 ms).
        events.add(
            exec(
                3 + i,
                2 + i * 50L / 1000,
                "b64-" + i,
                100 + i,
                "/usr/bin/base64",
                "base64 -d /tmp/blob",
                7,
                "bash-1"));
      }
      // The same command 70 s after the first: past the window, a new alert.
      events.add(
          exec(1003, 75, "b64-late", 2000, "/usr/bin/base64", "base64 -d /tmp/blob", 7, "bash-1"));
      // Another command line is another alert at once.
      events.add(
          exec(
              1004, 76, "b64-other", 2001, "/usr/bin/base64", "base64 -d /tmp/other", 7, "bash-1"));
      run.send(events);

      List<AlertRow> alerts = run.alerts();
      assertEquals(3, alerts.size(), alerts.toString());
      AlertRow folded = alerts.get(0);
      assertEquals(1000, folded.count(), "one alert, counting every match");
      assertEquals(3, folded.seq(), "the alert is on the first match");
      assertEquals(T0 + 2 * SECOND, folded.firstEventTimeNs());
      assertTrue(folded.lastEventTimeNs() >= T0 + 51 * SECOND, folded.toString());
      assertEquals(1, alerts.get(1).count());
      assertEquals(1003, alerts.get(1).seq());
      assertEquals(1004, alerts.get(2).seq());
      assertEquals(999, run.counter("vigil_collector_alerts_suppressed_total"));

      // The process and its chain up to the session leader (the login shell).
      JsonObject p = JsonParser.parseString(folded.processJson()).getAsJsonObject();
      assertEquals("b64-0", p.get("entity_id").getAsString());
      assertEquals("base64 -d /tmp/blob", p.get("command_line").getAsString());
      var chain = p.getAsJsonArray("chain");
      assertEquals(1, chain.size(), p.toString());
      assertEquals("-bash", chain.get(0).getAsJsonObject().get("command_line").getAsString());
      assertEquals("session_leader", p.get("chain_end").getAsString());

      // JSONL: one line per raised alert, none for the folded matches.
      List<String> lines = Files.readAllLines(run.jsonl);
      assertEquals(3, lines.size(), String.join("\n", lines));
      JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
      assertEquals(folded.id(), first.get("alert_id").getAsLong());
      assertEquals(TestRules.BASE64_DECODE_ID, first.get("rule_id").getAsString());
      assertEquals("web-1", first.get("hostname").getAsString());
      assertEquals("process_exec", first.get("event_kind").getAsString());
      assertEquals(
          "-bash",
          first
              .getAsJsonObject("process")
              .getAsJsonArray("chain")
              .get(0)
              .getAsJsonObject()
              .get("command_line")
              .getAsString());
    }
  }

  @Test
  void aSigmaFilterFileSilencesExactlyTheEventsItNames() throws Exception {
    Path filters = dir.resolve("filters");
    TestRules.write(
        filters,
        "mf_backup_decode.yml",
        String.join(
            "\n",
            "title: The backup job decodes its manifest",
            "logsource:",
            "  category: process_creation",
            "  product: linux",
            "filter:",
            "  rules:",
            "    - " + TestRules.BASE64_DECODE_ID,
            "  selection:",
            "    CommandLine|endswith: /var/backups/manifest.b64",
            "    User: backup",
            "  condition: selection",
            ""));
    try (Run run = start(List.of(filters), Optional.empty(), List.of())) {
      run.send(
          List.of(
              execAs(1, 0, "backup", "base64 -d /var/backups/manifest.b64"),
              execAs(2, 1, "alice", "base64 -d /var/backups/manifest.b64"),
              execAs(3, 2, "backup", "base64 -d /tmp/manifest.b64.x"),
              execAs(4, 3, "backup", "base64 -d /var/backups/manifest.b64")));
      assertEquals(List.of(2L, 3L), run.alerts().stream().map(AlertRow::seq).toList());
      assertEquals(
          2,
          run.counter("vigil_collector_detection_silenced_total", "by", "filter"),
          "seq 1 and 4 silenced");
    }
  }

  @Test
  void theAllowListSilencesByHostAndAThreatIntelHitNamesItsIndicatorAndSource() throws Exception {
    Path allow = dir.resolve("allow.yml");
    Files.writeString(
        allow,
        String.join(
            "\n",
            "entries:",
            "  - reason: the build hosts decode artefacts all day",
            "    rules: [" + TestRules.BASE64_DECODE_ID + "]",
            "    hosts: [web-*]",
            "  - reason: our own resolver",
            "    indicators: [192.0.2.53]",
            ""));
    Path intel = dir.resolve("c2.txt");
    Files.writeString(intel, "# test feed\n198.51.100.7\n192.0.2.53\n");
    try (Run run = start(List.of(), Optional.of(allow), List.of(intel))) {
      run.send(
          List.of(
              execAs(1, 0, "alice", "base64 -d /tmp/x"),
              connect(2, 1, "198.51.100.7"),
              connect(3, 2, "192.0.2.53"),
              connect(4, 3, "198.51.100.8")));
      List<AlertRow> alerts = run.alerts();
      assertEquals(1, alerts.size(), "web-1 is allowed to decode; one C2 hit: " + alerts);
      AlertRow a = alerts.get(0);
      assertEquals(2, a.seq());
      assertEquals("intel", a.source());
      assertEquals("intel:ip:198.51.100.7", a.ruleId());
      assertNotNull(a.indicatorJson());
      JsonObject i = JsonParser.parseString(a.indicatorJson()).getAsJsonObject();
      assertEquals("198.51.100.7", i.get("value").getAsString());
      assertEquals(intel.toString(), i.get("source").getAsString());
      assertEquals(
          "{\"DestinationIp\":[\"198.51.100.7\"]}", a.matchedFieldsJson(), "the field that hit");
      assertEquals(2, run.counter("vigil_collector_detection_silenced_total", "by", "allow_list"));
    }
  }

  private static final long SECOND = 1_000_000_000L;

  private static Event exec(
      long seq,
      long second,
      String entity,
      int pid,
      String image,
      String cmd,
      int session,
      String parentEntity) {
    ProcessExec.Builder x =
        ProcessExec.newBuilder()
            .setProcess(
                ProcessRef.newBuilder()
                    .setEntityId(entity)
                    .setPid(pid)
                    .setImage(image)
                    .setCommandLine(cmd)
                    .setUser("alice"))
            .setSessionId(session);
    if (!parentEntity.isEmpty()) {
      x.setParent(ProcessRef.newBuilder().setEntityId(parentEntity));
    }
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(T0 + second * SECOND)
        .setSensor("synthetic")
        .setProcessExec(x)
        .build();
  }

  private static Event execAs(long seq, long second, String user, String cmd) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(T0 + second * SECOND)
        .setSensor("synthetic")
        .setProcessExec(
            ProcessExec.newBuilder()
                .setProcess(
                    ProcessRef.newBuilder()
                        .setEntityId("p-" + seq)
                        .setPid(500 + (int) seq)
                        .setImage("/usr/bin/base64")
                        .setCommandLine(cmd)
                        .setUser(user)))
        .build();
  }

  private static Event connect(long seq, long second, String destination) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(T0 + second * SECOND)
        .setSensor("synthetic")
        .setConnection(
            NetworkConnection.newBuilder()
                .setSourceIp("10.0.0.5")
                .setSourcePort(40000 + (int) seq)
                .setDestinationIp(destination)
                .setDestinationPort(443)
                .setProcess(ProcessRef.newBuilder().setEntityId("curl-" + seq).setImage("curl")))
        .build();
  }

  /** A collector lifetime: store, detection, ingest with a JSONL alert output. */
  private final class Run implements AutoCloseable {
    final MetricsRegistry metrics = new MetricsRegistry();
    final Path db = dir.resolve("vigil.db");
    final Path jsonl = dir.resolve("alerts.jsonl");
    final EventStore store = EventStore.open(db);
    final Detection detection;
    final IngestService ingest;

    Run(DetectionSection section, IntelSection intel) throws Exception {
      detection = DetectionStart.start(section, intel, metrics);
      ingest =
          new IngestService(
              store,
              IngestOptions.defaults(),
              metrics,
              List.of(),
              detection,
              List.of(new JsonlAlertOutput(jsonl)));
      ingest.openStream(AGENT, EPOCH, TestEvents.hello(AGENT, EPOCH), TestEvents.now()).get();
    }

    void send(List<Event> events) throws Exception {
      EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(events.get(0).getSeq());
      events.forEach(e -> b.addEvents(e.toByteString()));
      ingest.submit(AGENT, EPOCH, b.build(), TestEvents.now()).get();
    }

    List<AlertRow> alerts() {
      try (StoreReader reader = EventStore.openReadOnly(db)) {
        return reader.latestAlerts(10_000);
      }
    }

    long counter(String name, String... labels) {
      return (long) metrics.value(name, labels);
    }

    @Override
    public void close() {
      ingest.close();
      store.close();
      detection.close();
    }
  }
}
