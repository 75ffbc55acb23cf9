package io.vigil.collector.sink;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on loopback that records every request to {@code /hook} and answers with the
 * statuses queued by the test, then 200.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Request(
      String method, String contentType, Map<String, List<String>> headers, String body) {}

  private final HttpServer server;
  private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requests.add(
              new Request(
                  exchange.getRequestMethod(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  Map.copyOf(exchange.getRequestHeaders()),
                  body));
          Integer status = statuses.poll();
          byte[] answer =
              (status == null ? "ok" : "busy \u001b[31m <not json>")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  /** The next answers, in order, before the server answers 200 again. */
  void answer(int... codes) {
    for (int c : codes) {
      statuses.add(c);
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  List<String> bodies() {
    List<String> out = new ArrayList<>();
    requests.forEach(r -> out.add(r.body()));
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
