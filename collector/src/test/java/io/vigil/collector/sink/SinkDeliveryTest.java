package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.store.AlertFixture;
import io.vigil.collector.store.SinkStore;
import io.vigil.common.metrics.MetricsRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sinks' delivery loop against a real database and real destinations (a file, an HTTP server on
 * loopback): order, the cursor across restarts, filters, retries and the backlog bound.
 */
class SinkDeliveryTest {
  /** Generous: the build machine is a busy two-core one. */
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path dir;
  private Path db;
  private AlertFixture fixture;
  private long streamId;
  private long nextSeq = 1;
  private final MetricsRegistry metrics = new MetricsRegistry();

  @BeforeEach
  void store() throws Exception {
    db = dir.resolve("vigil.db");
    fixture = AlertFixture.create(db);
    fixture.agent("agent-1", "web-1");
    streamId = fixture.stream("agent-1", "e1");
  }

  @AfterEach
  void closeStore() throws Exception {
    fixture.close();
  }

  private long alert(Map<String, Object> columns) throws Exception {
    return fixture.alert("agent-1", streamId, nextSeq++, columns);
  }

  private SinkSettings jsonl(String name, Path file, AlertFilter filter, long maxBacklog) {
    return new SinkSettings(
        name,
        filter,
        100,
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        maxBacklog,
        true,
        new JsonlTarget(file));
  }

  private SinkSettings webhook(String name, WebhookReceiver r, String format) {
    return new SinkSettings(
        name,
        AlertFilter.ALL,
        100,
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        100_000,
        true,
        new WebhookTarget(
            r.url(), format, Duration.ofSeconds(20), Map.of("X-Vigil-Token", "t0k3n"), null));
  }

  private AlertSinks start(SinkSettings s) {
    return AlertSinks.start(List.of(s), db, metrics, POLL);
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  private static List<Long> ids(Path file) {
    List<Long> out = new ArrayList<>();
    try {
      if (!Files.exists(file)) {
        return out;
      }
      for (String line : Files.readAllLines(file)) {
        out.add(JsonParser.parseString(line).getAsJsonObject().get("alert_id").getAsLong());
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  private long cursor(String sink) {
    try (SinkStore s = SinkStore.open(db)) {
      return s.cursor(sink).orElse(-1);
    }
  }

  private long counter(String name, String sink) {
    return (long) metrics.value(name, "sink", sink);
  }

  @Test
  void aRestartedSinkGoesOnAfterItsCursorWithNoRepeatsAndNoGaps() throws Exception {
    Path file = dir.resolve("out.jsonl");
    List<Long> stored = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      stored.add(alert(Map.of()));
    }
    try (AlertSinks sinks = start(jsonl("archive", file, AlertFilter.ALL, 100_000))) {
      await("3 lines", () -> ids(file).size() >= 3);
      await("the cursor at the third alert", () -> cursor("archive") == stored.get(2));
    }
    // Stored while the collector was down, and while it runs again.
    stored.add(alert(Map.of()));
    stored.add(alert(Map.of()));
    try (AlertSinks sinks = start(jsonl("archive", file, AlertFilter.ALL, 100_000))) {
      stored.add(alert(Map.of()));
      sinks.wake();
      await("6 lines", () -> ids(file).size() >= 6);
      await("the cursor at the last", () -> cursor("archive") == stored.get(5));
    }
    assertEquals(stored, ids(file), "each alert once, in id order");
    assertEquals(6, counter(SinkMetrics.DELIVERED, "archive"));
    assertEquals(0, counter(SinkMetrics.LAG, "archive"));
  }

  @Test
  void aNewSinkStartingNowDeliversOnlyAlertsStoredAfterIt() throws Exception {
    alert(Map.of());
    alert(Map.of());
    Path file = dir.resolve("now.jsonl");
    SinkSettings s =
        new SinkSettings(
            "fresh",
            AlertFilter.ALL,
            100,
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            100_000,
            false,
            new JsonlTarget(file));
    try (AlertSinks sinks = start(s)) {
      await("the cursor placed", () -> cursor("fresh") == 2);
      long third = alert(Map.of());
      await("the new alert", () -> ids(file).size() >= 1);
      assertEquals(List.of(third), ids(file));
    }
  }

  @Test
  void filteredAlertsAreCountedAndPassedByTheCursor() throws Exception {
    Path file = dir.resolve("filtered.jsonl");
    long low = alert(Map.of("level", "low"));
    long tagged = alert(Map.of("level", "high", "tags", "[\"attack.t1059.004\"]"));
    long otherTag = alert(Map.of("level", "critical", "tags", "[\"attack.t1027\"]"));
    long noLevel = alert(Map.of("level", "medium", "tags", "[\"attack.T1059\"]"));
    fixture.sql("UPDATE alerts SET level = NULL WHERE id = " + noLevel);
    long fim = alert(Map.of("level", "high", "source", "fim", "tags", "[\"attack.t1059\"]"));
    AlertFilter filter = new AlertFilter("medium", List.of("attack.t1059*"), List.of("sigma"));
    try (AlertSinks sinks = start(jsonl("picky", file, filter, 100_000))) {
      await("the cursor past every alert", () -> cursor("picky") == fim);
    }
    assertEquals(List.of(tagged), ids(file), "low, other tag, no level, other source left out");
    assertEquals(1, counter(SinkMetrics.DELIVERED, "picky"));
    assertEquals(4, counter(SinkMetrics.FILTERED, "picky"));
    assertTrue(low < tagged && tagged < otherTag);
  }

  @Test
  void aSinkFallenBeyondMaxBacklogSkipsTheOldestAndCountsThem() throws Exception {
    Path file = dir.resolve("backlog.jsonl");
    List<Long> stored = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      stored.add(alert(Map.of()));
    }
    try (AlertSinks sinks = start(jsonl("behind", file, AlertFilter.ALL, 3))) {
      await("3 lines", () -> ids(file).size() >= 3);
      await("the cursor at the newest", () -> cursor("behind") == stored.get(9));
    }
    assertEquals(stored.subList(7, 10), ids(file));
    assertEquals(7, counter(SinkMetrics.SKIPPED, "behind"));
    assertEquals(3, counter(SinkMetrics.DELIVERED, "behind"));
  }

  @Test
  void theCursorNeverGoesBackwards() {
    try (SinkStore s = SinkStore.open(db)) {
      s.advance("x", 5, 1);
      s.advance("x", 3, 2);
      assertEquals(5, s.cursor("x").getAsLong());
      s.advance("x", 9, 3);
      assertEquals(9, s.cursor("x").getAsLong());
    }
  }

  @Test
  void aWebhookReceivesEachAlertsJsonWithItsHeaders() throws Exception {
    long id = alert(Map.of("title", "Curl piped to sh"));
    try (WebhookReceiver r = new WebhookReceiver();
        AlertSinks sinks = start(webhook("hook", r, "json"))) {
      await("one request", () -> r.requests.size() >= 1);
      WebhookReceiver.Request req = r.requests.get(0);
      assertEquals("POST", req.method());
      assertEquals("application/json", req.contentType());
      assertEquals(List.of("t0k3n"), req.headers().get("X-vigil-token"));
      JsonObject o = JsonParser.parseString(req.body()).getAsJsonObject();
      assertEquals(id, o.get("alert_id").getAsLong());
      assertEquals("Curl piped to sh", o.get("title").getAsString());
      assertEquals("web-1", o.get("hostname").getAsString());
      assertEquals("high", o.get("level").getAsString());
      await("the cursor", () -> cursor("hook") == id);
    }
  }

  @Test
  void serverErrorsAndClientErrorsAreRetriedUntilTheAlertIsTakenAndCounted() throws Exception {
    long first = alert(Map.of());
    long second = alert(Map.of());
    try (WebhookReceiver r = new WebhookReceiver()) {
      // The first alert: 500, then 404; then both go through.
      r.answer(500, 404);
      try (AlertSinks sinks = start(webhook("flaky", r, "json"))) {
        await("the cursor past both", () -> cursor("flaky") == second);
      }
      List<Long> seen = new ArrayList<>();
      for (String body : r.bodies()) {
        seen.add(JsonParser.parseString(body).getAsJsonObject().get("alert_id").getAsLong());
      }
      assertEquals(List.of(first, first, first, second), seen, "retried, in order");
      assertEquals(2, counter(SinkMetrics.FAILURES, "flaky"));
      assertEquals(2, counter(SinkMetrics.DELIVERED, "flaky"));
    }
  }

  @Test
  void aSlackMessageEscapesMentionsAndLinksInAttackerText() throws Exception {
    long id =
        alert(
            Map.of(
                "title",
                "<!channel> run <http://evil.example|click> & \"quote\"\n",
                "hostname",
                "<@U123>"));
    try (WebhookReceiver r = new WebhookReceiver();
        AlertSinks sinks = start(webhook("slack", r, "slack"))) {
      await("one message", () -> r.requests.size() >= 1);
      JsonObject o = JsonParser.parseString(r.requests.get(0).body()).getAsJsonObject();
      assertEquals(1, o.size(), o.toString());
      String text = o.get("text").getAsString();
      assertFalse(text.contains("<") || text.contains(">"), text);
      assertTrue(
          text.contains("&lt;!channel&gt; run &lt;http://evil.example|click&gt; &amp; \"quote\"\n"),
          text);
      assertTrue(text.contains("on &lt;@U123&gt;"), text);
      assertTrue(text.contains("[HIGH]") && text.contains("alert " + id), text);
    }
  }
}
