package io.vigil.collector.sink;

import java.nio.file.Path;

/**
 * Where and how a syslog sink delivers: RFC 5424 messages with a CEF payload.
 *
 * @param transport {@code udp} (RFC 5426), {@code tcp} (RFC 6587 octet counting) or {@code tls}
 *     (RFC 5425)
 * @param host the receiver's host name or address (a TLS certificate must name it)
 * @param port the receiver's port
 * @param caFile PEM certificates trusted for TLS, or null for the JDK's default trust
 * @param appName APP-NAME of every message (at most 48 printable US-ASCII characters)
 * @param facility facility name ({@code local0} .. {@code local7}, {@code auth}, ...)
 * @param maxMessageBytes longest message in bytes, framing not counted; longer ones are cut
 */
public record SyslogTarget(
    String transport,
    String host,
    int port,
    Path caFile,
    String appName,
    String facility,
    int maxMessageBytes) {}
