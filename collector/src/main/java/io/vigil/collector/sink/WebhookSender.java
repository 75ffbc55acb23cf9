package io.vigil.collector.sink;

import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * POSTs each alert to a webhook, one request per alert, in order: the alert's JSON object ({@code
 * json}) or a Slack message ({@code slack}, see {@link SlackText}), as {@code application/json}.
 * Only a 2xx answer counts as delivered; any other status (a redirect included: none is followed),
 * a timeout or a connection failure fails the whole batch, which the sink retries, so the receiver
 * may see an alert twice (each carries its {@code alert_id}). The failure names the status and a
 * bounded, escaped excerpt of the answer; header values never appear anywhere.
 *
 * <p>Not thread-safe (one sink's thread uses it, as {@link AlertSender} says).
 */
final class WebhookSender implements AlertSender {
  /** How much of a failed answer's body goes into the failure message. */
  static final int BODY_EXCERPT_CHARS = 200;

  private final WebhookTarget target;
  private final HttpClient client;

  WebhookSender(WebhookTarget target) {
    this.target = target;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .connectTimeout(target.timeout())
            .followRedirects(HttpClient.Redirect.NEVER);
    if (target.caFile() != null) {
      b.sslContext(ExtraCaTrust.sslContext(target.caFile()));
    }
    this.client = b.build();
  }

  @Override
  public void send(List<SinkAlert> alerts) throws IOException {
    for (SinkAlert a : alerts) {
      post(a, "slack".equals(target.format()) ? SlackText.message(a) : a.json());
    }
  }

  private void post(SinkAlert alert, String body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.url())
            .timeout(target.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    for (Map.Entry<String, String> h : target.headers().entrySet()) {
      request.header(h.getKey(), h.getValue());
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while posting alert " + alert.id(), e);
    }
    try (InputStream in = response.body()) {
      int status = response.statusCode();
      if (status / 100 == 2) {
        return;
      }
      byte[] head = in.readNBytes(BODY_EXCERPT_CHARS * 4);
      String excerpt = new String(head, StandardCharsets.UTF_8);
      throw new IOException(
          "webhook "
              + target.origin()
              + " answered HTTP "
              + status
              + " to alert "
              + alert.id()
              + ": "
              + TerminalText.escape(excerpt, BODY_EXCERPT_CHARS));
    }
  }

  @Override
  public String describe() {
    return "webhook " + target.format() + " " + target.origin();
  }

  @Override
  public void close() {
    // HttpClient has no close before Java 21; its threads end when it is unreachable.
  }
}
