package io.vigil.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private HttpResponse<String> get(MetricsEndpoint endpoint, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
            .timeout(Duration.ofSeconds(30))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesRegistryInPrometheusTextFormatOverRealHttp() throws Exception {
    MetricsRegistry registry = new MetricsRegistry();
    registry.counter("vigil_events_total", "Events seen.", "kind", "dns").add(3);
    registry.gauge("vigil_queue_depth", "Queue depth.", () -> 7);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(registry, "127.0.0.1", 0, false)) {
      assertTrue(endpoint.port() > 0);
      HttpResponse<String> response = get(endpoint, "/metrics");
      assertEquals(200, response.statusCode());
      assertEquals(
          "text/plain; version=0.0.4; charset=utf-8",
          response.headers().firstValue("Content-Type").orElse(""));
      assertTrue(response.body().contains("vigil_events_total{kind=\"dns\"} 3\n"), response.body());
      assertTrue(response.body().contains("# TYPE vigil_queue_depth gauge\nvigil_queue_depth 7\n"));

      registry.counter("vigil_events_total", "Events seen.", "kind", "dns").inc();
      assertTrue(get(endpoint, "/metrics").body().contains("vigil_events_total{kind=\"dns\"} 4\n"));
      assertEquals(404, get(endpoint, "/other").statusCode());
    }
  }

  @Test
  void refusesNonLoopbackAddressUnlessRemoteIsAllowed() throws Exception {
    MetricsRegistry registry = new MetricsRegistry();
    assertThrows(
        IllegalArgumentException.class, () -> MetricsEndpoint.start(registry, "0.0.0.0", 0, false));
    try (MetricsEndpoint endpoint = MetricsEndpoint.start(registry, "0.0.0.0", 0, true)) {
      assertEquals(200, get(endpoint, "/metrics").statusCode());
    }
  }
}
