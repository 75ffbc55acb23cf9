package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.ExecRule;
import io.vigil.testkit.Poll;
import io.vigil.testkit.VigilProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11's webhook sink end to end: a collector process with a Sigma rule and a webhook sink
 * pointing at an HTTP server in this test, and a synthetic agent whose process events raise real
 * alerts. The server refuses the first POST with a 500; the sink retries it, and every stored alert
 * arrives, as its JSON object, with the refused one among them.
 */
class WebhookSinkTest {
  private static final String RULE_ID = "5b0e7a52-0000-4000-8000-00000000e2e1";

  @TempDir Path dir;

  @Test
  void everyStoredAlertArrivesAtTheWebhookAndA500IsRetried() throws Exception {
    Path rules =
        ExecRule.write(dir.resolve("rules"), RULE_ID, "Test any synthetic process start", "medium");

    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    List<Integer> answers = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/vigil",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status = requests.getAndIncrement() == 0 ? 500 : 200;
          bodies.add(body);
          answers.add(status);
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector =
          d.startCollector(
              "detection:",
              "  rule_dirs: [\"" + rules + "\"]",
              "sinks:",
              "  soc:",
              "    type: webhook",
              "    url: http://127.0.0.1:" + server.getAddress().getPort() + "/vigil",
              "    retry_initial: 500ms",
              "    retry_max: 2s",
              "    start: oldest");
      VigilProcess agent = d.startAgent(200, 100);
      d.awaitStored(200, Duration.ofMinutes(3), agent, collector);
      long stored =
          d.store().count("SELECT count(*) FROM alerts WHERE rule_id = '" + RULE_ID + "'");
      assertTrue(stored > 0, "the synthetic process starts raised alerts");

      Set<Long> storedIds = new TreeSet<>();
      Poll.until(
          Duration.ofMinutes(2),
          () ->
              "webhook got "
                  + distinctIds(bodies).size()
                  + " of "
                  + stored
                  + " alerts; collector log:\n"
                  + Deployment.tail(collector.logText(), 4000),
          () -> distinctIds(bodies).size() >= stored);
      long newest = d.store().count("SELECT max(id) FROM alerts");
      for (long id = 1; id <= newest; id++) {
        if (d.store().count("SELECT count(*) FROM alerts WHERE id = " + id) == 1) {
          storedIds.add(id);
        }
      }
      assertEquals(storedIds, distinctIds(bodies), "every stored alert, as its JSON object");

      List<String> seen = List.copyOf(bodies);
      assertEquals(500, answers.get(0));
      long refused = alertId(seen.get(0));
      assertEquals(refused, alertId(seen.get(1)), "the refused alert is sent again first");
      JsonObject first = JsonParser.parseString(seen.get(1)).getAsJsonObject();
      assertEquals(RULE_ID, first.get("rule_id").getAsString());
      assertEquals("medium", first.get("level").getAsString());
      assertEquals("process_exec", first.get("event_kind").getAsString());
      assertTrue(
          collector.logText().contains("answered HTTP 500"),
          "the failure is logged with its status");
      Poll.until(
          Duration.ofSeconds(60),
          () -> "the cursor did not reach the newest alert " + newest,
          () ->
              d.store().count("SELECT delivered_id FROM sink_cursors WHERE sink = 'soc'")
                  == newest);
    } finally {
      server.stop(0);
    }
  }

  private static long alertId(String body) {
    return JsonParser.parseString(body).getAsJsonObject().get("alert_id").getAsLong();
  }

  private static Set<Long> distinctIds(List<String> bodies) {
    Set<Long> out = new TreeSet<>();
    synchronized (bodies) {
      for (String b : bodies) {
        out.add(alertId(b));
      }
    }
    return out;
  }
}
