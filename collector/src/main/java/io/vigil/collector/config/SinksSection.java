package io.vigil.collector.config;

import io.vigil.collector.sink.AlertFilter;
import io.vigil.collector.sink.JsonlTarget;
import io.vigil.collector.sink.SinkDestination;
import io.vigil.collector.sink.SinkSettings;
import io.vigil.collector.sink.SyslogFacility;
import io.vigil.collector.sink.SyslogTarget;
import io.vigil.collector.sink.WebhookTarget;
import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The alert sinks ({@code sinks.NAME.*}): each enabled one, validated. A sink's name keys its
 * cursor in the store, so renaming a sink makes a new one (it starts by its {@code start}).
 */
final class SinksSection {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}");

  /** Headers the HTTP client sets itself, or that would change what the request means. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of("connection", "content-length", "content-type", "expect", "host", "upgrade");

  private SinksSection() {}

  static List<SinkSettings> bind(ConfigNode root) {
    List<SinkSettings> out = new ArrayList<>();
    for (Map.Entry<String, ConfigNode> e : root.children("sinks").entrySet()) {
      String name = e.getKey();
      ConfigNode node = e.getValue();
      if (!NAME.matcher(name).matches()) {
        root.child("sinks")
            .error(
                name,
                "a sink name is 1 to 64 of a-z, 0-9, _ and -, starting with a letter or digit");
      }
      bindOne(name, node).ifPresent(out::add);
    }
    return List.copyOf(out);
  }

  private static Optional<SinkSettings> bindOne(String name, ConfigNode node) {
    String type = node.string("type", "");
    if (type.isEmpty()) {
      node.error("type", "required: syslog, webhook or jsonl");
    } else {
      type = node.oneOf("type", "", Set.of("syslog", "webhook", "jsonl"));
    }
    boolean enabled = node.bool("enabled", true);
    AlertFilter filter =
        new AlertFilter(
            node.oneOf("min_level", "informational", Set.copyOf(AlertFilter.LEVELS)),
            node.stringList("tags", List.of()),
            node.stringList("sources", List.of()));
    int batchMax = node.intValue("batch_max", 100, 1, 10_000);
    Duration retryInitial =
        node.duration("retry_initial", "1s", Duration.ofMillis(10), Duration.ofHours(1));
    Duration retryMax = node.duration("retry_max", "5m", Duration.ofMillis(10), Duration.ofDays(1));
    if (retryMax.compareTo(retryInitial) < 0) {
      node.error("retry_max", "must be at least retry_initial");
    }
    long maxBacklog = node.longValue("max_backlog", 100_000, 1, 1_000_000_000);
    boolean oldest = node.oneOf("start", "now", Set.of("now", "oldest")).equals("oldest");
    SinkDestination destination =
        switch (type) {
          case "webhook" -> webhook(node);
          case "jsonl" -> jsonl(node);
          case "syslog" -> syslog(node);
          default -> null;
        };
    if (destination == null || !enabled) {
      return Optional.empty();
    }
    return Optional.of(
        new SinkSettings(
            name, filter, batchMax, retryInitial, retryMax, maxBacklog, oldest, destination));
  }

  private static WebhookTarget webhook(ConfigNode node) {
    String text = node.string("url", "");
    String format = node.oneOf("format", "json", Set.of("json", "slack"));
    Duration timeout =
        node.duration("timeout", "10s", Duration.ofMillis(100), Duration.ofMinutes(5));
    Map<String, String> headers = node.stringMap("headers");
    Path caFile = node.optionalPath("ca_file").orElse(null);
    boolean ok = true;
    URI url = null;
    if (text.isEmpty()) {
      node.error("url", "required for a webhook sink: an http:// or https:// URL");
      ok = false;
    } else {
      try {
        url = new URI(text);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
          node.error("url", "expected an http:// or https:// URL with a host");
          ok = false;
        } else if (url.getRawUserInfo() != null) {
          node.error("url", "put credentials in headers (e.g. Authorization), not in the URL");
          ok = false;
        }
      } catch (URISyntaxException e) {
        // The URL may hold a secret (a Slack webhook's path): it is not repeated here.
        node.error("url", "not a valid URL (" + e.getReason() + ")");
        ok = false;
      }
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String key = "headers." + h.getKey();
      if (!HEADER_NAME.matcher(h.getKey()).matches()) {
        node.error(key, "not a valid HTTP header name");
        ok = false;
      } else if (RESERVED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        node.error(key, "set by the collector itself; it cannot be configured");
        ok = false;
      } else if (h.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        // The value is not repeated: it may be a secret.
        node.error(key, "the value holds a control character (a line break?)");
        ok = false;
      }
    }
    if (caFile != null && url != null && !"https".equalsIgnoreCase(url.getScheme())) {
      node.error("ca_file", "only used with an https:// URL");
      ok = false;
    }
    return ok ? new WebhookTarget(url, format, timeout, headers, caFile) : null;
  }

  private static JsonlTarget jsonl(ConfigNode node) {
    Optional<Path> path = node.optionalPath("path");
    if (path.isEmpty()) {
      node.error("path", "required for a jsonl sink: the file to append alerts to");
      return null;
    }
    return new JsonlTarget(path.get());
  }

  private static SyslogTarget syslog(ConfigNode node) {
    String address = node.string("address", "");
    String transport = node.oneOf("transport", "tcp", Set.of("udp", "tcp", "tls"));
    Path caFile = node.optionalPath("ca_file").orElse(null);
    String appName = node.string("app_name", "vigil");
    String facility = node.oneOf("facility", "local4", Set.copyOf(SyslogFacility.NAMES));
    int maxMessageBytes = node.intValue("max_message_bytes", 8192, 480, 65_000);
    boolean ok = true;
    HostPort hp = null;
    if (address.isEmpty()) {
      node.error("address", "required for a syslog sink: host:port of the receiver");
      ok = false;
    } else {
      try {
        hp = HostPort.parse(address);
        if (hp.port() == 0) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        node.error("address", "expected a host:port like 127.0.0.1:6514, got \"" + address + "\"");
        ok = false;
      }
    }
    // RFC 5424 APP-NAME: 1 to 48 printable US-ASCII characters, no space.
    if (!appName.matches("[\\x21-\\x7e]{1,48}")) {
      node.error("app_name", "1 to 48 printable ASCII characters without spaces");
      ok = false;
    }
    if (caFile != null && !transport.equals("tls")) {
      node.error("ca_file", "only used with transport: tls");
      ok = false;
    }
    return ok
        ? new SyslogTarget(
            transport, hp.host(), hp.port(), caFile, appName, facility, maxMessageBytes)
        : null;
  }
}
