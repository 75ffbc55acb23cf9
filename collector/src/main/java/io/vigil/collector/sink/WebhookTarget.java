package io.vigil.collector.sink;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP endpoint ({@code type: webhook}) each alert is POSTed to. Immutable. Its {@link
 * #toString} leaves out the URL's path and query and the header values: both often hold secrets (a
 * Slack webhook's path is its credential, an {@code Authorization} header a token).
 *
 * @param url http or https ({@code url})
 * @param format {@code json} (the alert's JSON object) or {@code slack} (a {@code {"text": ...}}
 *     message)
 * @param timeout connect and response timeout of one request ({@code timeout}, default 10s)
 * @param headers extra request headers ({@code headers}); values may be secrets
 * @param caFile an extra CA (PEM) trusted for https beside the system's ({@code ca_file}); null for
 *     none
 */
public record WebhookTarget(
    URI url, String format, Duration timeout, Map<String, String> headers, Path caFile)
    implements SinkDestination {
  public WebhookTarget {
    Objects.requireNonNull(url);
    Objects.requireNonNull(format);
    Objects.requireNonNull(timeout);
    headers = Map.copyOf(headers);
  }

  @Override
  public String type() {
    return "webhook";
  }

  /** Scheme, host and port only, e.g. {@code https://hooks.example.org:443}. */
  public String origin() {
    int port = url.getPort();
    if (port < 0) {
      port = "https".equals(url.getScheme()) ? 443 : 80;
    }
    return url.getScheme() + "://" + url.getHost() + ":" + port;
  }

  @Override
  public String toString() {
    return "WebhookTarget[" + format + " " + origin() + ", headers " + headers.keySet() + "]";
  }
}
