package io.vigil.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} in the Prometheus text format 0.0.4 from a {@link MetricsRegistry},
 * and {@code GET /health} as JSON from a list of {@link HealthCheck}s (status {@code ok} and HTTP
 * 200 when every check is ok, {@code degraded} and HTTP 503 otherwise), on the JDK's built-in HTTP
 * server with one daemon thread (scrapes are rare and cheap).
 *
 * <p>Refuses a non-loopback address unless remote access is explicitly allowed: metrics reveal host
 * activity. Thread-safe; {@link #close()} stops the server and its thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String JSON = "application/json; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts the endpoint. Resolves {@code host} (a name may need DNS) and blocks until
   * bound.
   *
   * @param port the port, or 0 for any free one (see {@link #port()})
   * @param allowRemote whether a non-loopback address is acceptable
   * @throws IllegalArgumentException when the address is not loopback and {@code allowRemote} is
   *     false, or does not resolve
   * @throws IOException when the port cannot be bound
   */
  public static MetricsEndpoint start(
      MetricsRegistry registry, String host, int port, boolean allowRemote) throws IOException {
    return start(registry, host, port, allowRemote, List.of());
  }

  /**
   * Like {@link #start(MetricsRegistry, String, int, boolean)}, and {@code GET /health} reports
   * {@code checks} (with none it always answers ok).
   */
  public static MetricsEndpoint start(
      MetricsRegistry registry,
      String host,
      int port,
      boolean allowRemote,
      List<HealthCheck> checks)
      throws IOException {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("metrics address does not resolve: " + host);
    }
    if (!address.getAddress().isLoopbackAddress() && !allowRemote) {
      throw new IllegalArgumentException(
          "metrics address " + host + " is not loopback and remote access is not allowed");
    }
    List<HealthCheck> health = List.copyOf(checks);
    HttpServer server = HttpServer.create(address, 16);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "vigil-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(registry, health, exchange));
    server.start();
    return new MetricsEndpoint(server, executor);
  }

  private static void handle(
      MetricsRegistry registry, List<HealthCheck> health, HttpExchange exchange)
      throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/metrics") && !path.equals("/health")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      if (path.equals("/health")) {
        HealthReport report = HealthReport.of(health);
        send(exchange, method, report.ok() ? 200 : 503, JSON, report.json());
        return;
      }
      StringBuilder text = new StringBuilder(4096);
      registry.writeText(text);
      send(exchange, method, 200, CONTENT_TYPE, text.toString());
    }
  }

  private static void send(
      HttpExchange exchange, String method, int status, String contentType, String text)
      throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if (method.equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** The bound port (useful after asking for port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops serving at once and ends the server thread. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
