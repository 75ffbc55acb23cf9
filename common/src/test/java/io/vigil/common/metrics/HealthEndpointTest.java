package io.vigil.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code GET /health} over real HTTP: 200 while every check is ok, 503 otherwise. */
class HealthEndpointTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private HttpResponse<String> get(MetricsEndpoint endpoint) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/health"))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersOkOrDegradedWithEachChecksDetails() throws Exception {
    AtomicBoolean full = new AtomicBoolean();
    HealthCheck disk =
        new HealthCheck() {
          @Override
          public String name() {
            return "disk";
          }

          @Override
          public Result check() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("path", "/var/lib/\"vigil\"");
            d.put("free_bytes", full.get() ? 10L : 5000L);
            d.put("refusing", full.get());
            return new Result(!full.get(), d);
          }
        };
    HealthCheck broken =
        new HealthCheck() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public Result check() {
            throw new IllegalStateException("no");
          }
        };
    try (MetricsEndpoint endpoint =
        MetricsEndpoint.start(new MetricsRegistry(), "127.0.0.1", 0, false, List.of(disk))) {
      HttpResponse<String> ok = get(endpoint);
      assertEquals(200, ok.statusCode());
      assertEquals(
          "application/json; charset=utf-8", ok.headers().firstValue("Content-Type").orElse(""));
      assertEquals(
          "{\"status\":\"ok\",\"checks\":{\"disk\":{\"ok\":true,"
              + "\"path\":\"/var/lib/\\\"vigil\\\"\",\"free_bytes\":5000,\"refusing\":false}}}\n",
          ok.body());
      full.set(true);
      HttpResponse<String> degraded = get(endpoint);
      assertEquals(503, degraded.statusCode());
      assertEquals(
          "{\"status\":\"degraded\",\"checks\":{\"disk\":{\"ok\":false,"
              + "\"path\":\"/var/lib/\\\"vigil\\\"\",\"free_bytes\":10,\"refusing\":true}}}\n",
          degraded.body());
    }
    try (MetricsEndpoint endpoint =
        MetricsEndpoint.start(new MetricsRegistry(), "127.0.0.1", 0, false, List.of(broken))) {
      HttpResponse<String> r = get(endpoint);
      assertEquals(503, r.statusCode(), "a check that throws is not ok");
      assertEquals(
          "{\"status\":\"degraded\",\"checks\":{\"broken\":{\"ok\":false,"
              + "\"error\":\"java.lang.IllegalStateException: no\"}}}\n",
          r.body());
    }
    try (MetricsEndpoint endpoint =
        MetricsEndpoint.start(new MetricsRegistry(), "127.0.0.1", 0, false)) {
      assertEquals(200, get(endpoint).statusCode(), "no checks: ok");
    }
  }
}
