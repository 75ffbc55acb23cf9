package io.vigil.collector.sink;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A syslog receiver ({@code type: syslog}): RFC 5424 messages with CEF payloads, sent by {@code
 * SyslogSender}. Immutable; validated when the configuration is bound.
 *
 * @param transport {@code udp}, {@code tcp} (octet-counted framing) or {@code tls}
 * @param host the receiver's host name or address ({@code address}, host part)
 * @param port the receiver's port, 1 to 65535
 * @param caFile the CA certificates (PEM) trusted for {@code tls} beside the JDK's default trust;
 *     null: the JDK default only
 * @param appName the RFC 5424 APP-NAME ({@code app_name}, default {@code vigil})
 * @param facility the syslog facility name, e.g. {@code local4} (the default)
 * @param maxMessageBytes the longest message sent, whole ({@code max_message_bytes}, default 8192)
 */
public record SyslogTarget(
    String transport,
    String host,
    int port,
    Path caFile,
    String appName,
    String facility,
    int maxMessageBytes)
    implements SinkDestination {
  public SyslogTarget {
    Objects.requireNonNull(transport);
    Objects.requireNonNull(host);
    Objects.requireNonNull(appName);
    Objects.requireNonNull(facility);
  }

  @Override
  public String type() {
    return "syslog";
  }
}
