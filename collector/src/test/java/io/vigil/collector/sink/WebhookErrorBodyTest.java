package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A failed webhook answer's body is read bounded in size and in time: a receiver that sends a
 * status and then trickles (or withholds) the body cannot hold the sink's thread past its timeout.
 */
class WebhookErrorBodyTest {
  private static final SinkAlert ALERT =
      new SinkAlert(8, "a", "h", "sigma", "r", "t", "high", List.of(), 1, 2, "{\"alert_id\":8}");

  /** Answers each connection with {@code head}, then {@code body}, then waits until released. */
  private static Thread serve(
      ServerSocket server, String head, byte[] body, CountDownLatch release) {
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  // Read the request head; the body (one small JSON object) may follow it.
                  byte[] buf = new byte[8192];
                  String seen = "";
                  while (!seen.contains("\r\n\r\n")) {
                    int n = in.read(buf);
                    if (n < 0) {
                      break;
                    }
                    seen += new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                  }
                  OutputStream out = s.getOutputStream();
                  out.write(head.getBytes(StandardCharsets.US_ASCII));
                  out.write(body);
                  out.flush();
                  release.await();
                } catch (IOException | InterruptedException e) {
                  return;
                }
              }
            },
            "vigil-test-webhook");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static WebhookTarget target(ServerSocket server, Duration timeout) {
    return new WebhookTarget(
        URI.create("http://127.0.0.1:" + server.getLocalPort() + "/hook"),
        "json",
        timeout,
        Map.of(),
        null);
  }

  @Test
  void aBodyThatNeverEndsFailsTheSendAtTheTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      serve(
          server,
          "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 100000\r\n\r\n",
          "slow".getBytes(StandardCharsets.US_ASCII),
          release);
      try (WebhookSender sender = new WebhookSender(target(server, Duration.ofSeconds(1)))) {
        // Generous for a busy machine, far below "for ever" (the body never completes).
        IOException e =
            assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> assertThrows(IOException.class, () -> sender.send(List.of(ALERT))));
        assertTrue(e instanceof java.net.http.HttpTimeoutException, e.toString());
      }
    } finally {
      release.countDown();
    }
  }

  @Test
  void aLongErrorBodyIsCutToAnExcerptWithoutWaitingForTheRest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    byte[] body = ("\u001b[31mno" + "x".repeat(5000)).getBytes(StandardCharsets.UTF_8);
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      // Announces more than it sends: only a reader that stops at the excerpt returns.
      serve(
          server,
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 1000000\r\n\r\n",
          body,
          release);
      try (WebhookSender sender = new WebhookSender(target(server, Duration.ofSeconds(30)))) {
        IOException e =
            assertTimeoutPreemptively(
                Duration.ofSeconds(25),
                () -> assertThrows(IOException.class, () -> sender.send(List.of(ALERT))));
        String m = e.getMessage();
        assertTrue(m.contains("HTTP 503") && m.contains("alert 8") && m.contains("no"), m);
        assertFalse(m.contains("\u001b"), m);
        assertTrue(m.length() < 600, m);
      }
    } finally {
      release.countDown();
    }
  }
}
