package io.vigil.collector.sink;

import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs each alert to a webhook, one request per alert, in order: the alert's JSON object ({@code
 * json}) or a Slack message ({@code slack}, see {@link SlackText}), as {@code application/json}.
 * Only a 2xx answer counts as delivered; any other status (a redirect included: none is followed),
 * a timeout or a connection failure fails the whole batch, which the sink retries, so the receiver
 * may see an alert twice (each carries its {@code alert_id}). The failure names the status and a
 * bounded, escaped excerpt of the answer; header values never appear anywhere. Each request, its
 * answer's body included, is bounded by the target's timeout.
 *
 * <p>Not thread-safe (one sink's thread uses it, as {@link AlertSender} says).
 */
final class WebhookSender implements AlertSender {
  /** How much of a failed answer's body goes into the failure message. */
  static final int BODY_EXCERPT_CHARS = 200;

  /** How much of a failed answer's body is read at most (UTF-8: up to 4 bytes a character). */
  static final int BODY_EXCERPT_BYTES = BODY_EXCERPT_CHARS * 4;

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
    // The request's timeout ends at the response headers; the body (an error's excerpt) could be
    // trickled for ever. So the whole exchange, body included, gets the same deadline, and a body
    // is never read past BODY_EXCERPT_BYTES (nothing at all of a 2xx answer's).
    CompletableFuture<HttpResponse<byte[]>> exchange =
        client.sendAsync(
            request.build(),
            info -> new BodyExcerpt(info.statusCode() / 100 == 2 ? 0 : BODY_EXCERPT_BYTES));
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(target.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while posting alert " + alert.id(), e);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new HttpTimeoutException(
          "webhook " + target.origin() + " did not answer alert " + alert.id() + " in time");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("posting alert " + alert.id() + " failed: " + cause, cause);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String excerpt = new String(response.body(), StandardCharsets.UTF_8);
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

  @Override
  public String describe() {
    return "webhook " + target.format() + " " + target.origin();
  }

  @Override
  public void close() {
    // HttpClient has no close before Java 21; its threads end when it is unreachable.
  }
}
