package io.vigil.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} in the Prometheus text format 0.0.4 from a {@link MetricsRegistry},
 * on the JDK's built-in HTTP server with one daemon thread (scrapes are rare and cheap).
 *
 * <p>Refuses a non-loopback address unless remote access is explicitly allowed: metrics reveal host
 * activity. Thread-safe; {@link #close()} stops the server and its thread.
 */
public final class MetricsEndpoint implements AutoCloseable {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

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
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("metrics address does not resolve: " + host);
    }
    if (!address.getAddress().isLoopbackAddress() && !allowRemote) {
      throw new IllegalArgumentException(
          "metrics address " + host + " is not loopback and remote access is not allowed");
    }
    HttpServer server = HttpServer.create(address, 16);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "vigil-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(registry, exchange));
    server.start();
    return new MetricsEndpoint(server, executor);
  }

  private static void handle(MetricsRegistry registry, HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      StringBuilder text = new StringBuilder(4096);
      registry.writeText(text);
      byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
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
