package io.vigil.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.config.IntelSection;
import io.vigil.collector.detection.Detection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.detection.TestRules;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.sink.AlertFilter;
import io.vigil.collector.sink.AlertSinks;
import io.vigil.collector.sink.JsonlTarget;
import io.vigil.collector.sink.SinkSettings;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
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
 * Alerts raised through the real ingest path (store, Sigma detection, process chain) reach a sink
 * as the very text the {@code output.alerts_jsonl} file gets, in order, each once.
 */
class SinkIngestTest {
  private static final String AGENT = "agent-sink";
  private static final String EPOCH = "e1";
  private static final long T0 = 1_790_000_000_000_000_000L;

  @TempDir Path dir;

  @Test
  void aSinkDeliversTheAlertsRaisedByIngestAsTheAlertsJsonlLines() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    Path db = dir.resolve("vigil.db");
    Path alertsJsonl = dir.resolve("alerts.jsonl");
    Path sinkFile = dir.resolve("sink.jsonl");
    EventStore store = EventStore.open(db);
    Detection detection = base64Detection(metrics);
    IngestService ingest =
        new IngestService(
            store,
            IngestOptions.defaults(),
            metrics,
            List.of(),
            detection,
            List.of(new JsonlAlertOutput(alertsJsonl)));
    SinkSettings sink = jsonlSink(sinkFile, 2); // several batches
    try (AlertSinks sinks = AlertSinks.start(List.of(sink), db, metrics, Duration.ofMillis(50))) {
      ingest.openStream(AGENT, EPOCH, TestEvents.hello(AGENT, EPOCH), TestEvents.now()).get();
      List<Event> events = new ArrayList<>();
      events.add(exec(1, "bash-1", "/usr/bin/bash", "-bash", ""));
      for (int i = 0; i < 5; i++) {
        // Distinct command lines: five alerts, none folded into another.
        events.add(exec(2 + i, "b64-" + i, "/usr/bin/base64", "base64 -d /tmp/f" + i, "bash-1"));
      }
      EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(1);
      events.forEach(e -> b.addEvents(e.toByteString()));
      ingest.submit(AGENT, EPOCH, b.build(), TestEvents.now()).get();
      sinks.wake();

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      // The count moves after the file is written: wait for both, or the count can lag by one.
      while ((lines(sinkFile).size() < 5
              || metrics.value("vigil_collector_sink_delivered_total", "sink", "archive") < 5)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<String> expected = lines(alertsJsonl);
      assertEquals(5, expected.size(), String.join("\n", expected));
      assertEquals(expected, lines(sinkFile), "the same JSON, in the same order");
      assertTrue(expected.get(0).contains("\"process\":{"), expected.get(0));
      assertEquals(
          5, (long) metrics.value("vigil_collector_sink_delivered_total", "sink", "archive"));
    } finally {
      ingest.close();
      store.close();
      detection.close();
    }
  }

  @Test
  void aCommitThatStoresAlertsWakesTheSinksWithoutWaitingForTheirPoll() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    Path db = dir.resolve("vigil.db");
    Path sinkFile = dir.resolve("sink.jsonl");
    EventStore store = EventStore.open(db);
    Detection detection = base64Detection(metrics);
    IngestService ingest =
        new IngestService(
            store, IngestOptions.defaults(), metrics, List.of(), detection, List.of());
    SinkSettings sink = jsonlSink(sinkFile, 100);
    // A poll far longer than the test: only a wake-up can deliver in time.
    try (AlertSinks sinks = AlertSinks.start(List.of(sink), db, metrics, Duration.ofHours(1))) {
      java.util.concurrent.atomic.AtomicInteger told =
          new java.util.concurrent.atomic.AtomicInteger();
      ingest.onAlertsStored(
          () -> {
            told.incrementAndGet();
            sinks.wake();
          });
      ingest.openStream(AGENT, EPOCH, TestEvents.hello(AGENT, EPOCH), TestEvents.now()).get();
      EventBatch.Builder quiet = EventBatch.newBuilder().setFirstSeq(1);
      quiet.addEvents(exec(1, "bash-1", "/usr/bin/bash", "-bash", "").toByteString());
      ingest.submit(AGENT, EPOCH, quiet.build(), TestEvents.now()).get();
      assertEquals(0, told.get(), "no alert, no wake-up");

      EventBatch.Builder loud = EventBatch.newBuilder().setFirstSeq(2);
      loud.addEvents(
          exec(2, "b64-1", "/usr/bin/base64", "base64 -d /tmp/f", "bash-1").toByteString());
      ingest.submit(AGENT, EPOCH, loud.build(), TestEvents.now()).get();
      // The listener runs after the commit and before the batch's future completes.
      assertEquals(1, told.get());

      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (lines(sinkFile).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, lines(sinkFile).size(), "delivered on the wake-up, not the hourly poll");
    } finally {
      ingest.close();
      store.close();
      detection.close();
    }
  }

  /** Sigma detection with the base64-decode rule (rules in {@code dir/rules}). */
  private Detection base64Detection(MetricsRegistry metrics) throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    DetectionSection section =
        new DetectionSection(
            true,
            false,
            List.of(rules),
            List.of(),
            Optional.empty(),
            Duration.ofSeconds(60),
            100_000,
            Duration.ofSeconds(60));
    return DetectionStart.start(section, new IntelSection(List.of(), Duration.ZERO), metrics);
  }

  /** A sink {@code archive} of every alert to {@code file}, {@code batch} alerts at a time. */
  private static SinkSettings jsonlSink(Path file, int batch) {
    return new SinkSettings(
        "archive",
        AlertFilter.ALL,
        batch,
        Duration.ofMillis(10),
        Duration.ofMillis(100),
        100_000,
        true,
        new JsonlTarget(file));
  }

  private static List<String> lines(Path file) throws Exception {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private static Event exec(long seq, String entity, String image, String cmd, String parent) {
    ProcessExec.Builder x =
        ProcessExec.newBuilder()
            .setProcess(
                ProcessRef.newBuilder()
                    .setEntityId(entity)
                    .setPid(100 + (int) seq)
                    .setImage(image)
                    .setCommandLine(cmd)
                    .setUser("alice"))
            .setSessionId(7);
    if (!parent.isEmpty()) {
      x.setParent(ProcessRef.newBuilder().setEntityId(parent));
    }
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(T0 + seq * 1_000_000_000L)
        .setSensor("synthetic")
        .setProcessExec(x)
        .build();
  }
}
