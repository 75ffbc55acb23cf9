package io.vigil.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * Reads one value from a Vigil {@code /metrics} endpoint (Prometheus text format), for tests that
 * wait on what a running agent or collector did instead of sleeping. Stateless.
 */
public final class MetricsScrape {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private MetricsScrape() {}

  /**
   * The sum of the samples of metric {@code name} (all its label sets) at {@code
   * http://HOST:PORT/metrics}; empty when the endpoint does not answer (not started yet, or gone)
   * or does not list the metric.
   */
  public static OptionalDouble value(String host, int port, String name)
      throws InterruptedException {
    String body;
    try {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return OptionalDouble.empty();
      }
      body = r.body();
    } catch (IOException e) {
      return OptionalDouble.empty();
    }
    double sum = 0;
    boolean found = false;
    for (String line : body.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String series = line.substring(0, space);
      if (series.equals(name) || series.startsWith(name + "{")) {
        sum += Double.parseDouble(line.substring(space + 1).strip());
        found = true;
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }
}
