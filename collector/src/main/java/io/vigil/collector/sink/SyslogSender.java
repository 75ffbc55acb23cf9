package io.vigil.collector.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Delivers alerts to a syslog receiver as RFC 5424 messages carrying CEF records ({@link
 * SyslogMessage}, {@link CefFormatter}), over UDP (RFC 5426), TCP (RFC 6587, octet counting) or TLS
 * (RFC 5425). A failed send closes the connection and throws; the next call reconnects. Over UDP
 * nothing says whether a datagram arrived (only a receiver that is down and answers with ICMP is
 * seen). Not thread-safe: its sink's thread only.
 */
public final class SyslogSender implements AlertSender {
  /** Every receiver takes 480-byte messages (RFC 5426 section 3.2); less cannot hold an alert. */
  public static final int MIN_MESSAGE_BYTES = 480;

  private final SyslogTarget target;
  private final String hostname;
  private final SyslogMessage format;
  private final SyslogTransport transport;

  /**
   * @throws IllegalArgumentException when the target is unusable: unknown transport or facility, no
   *     host, a port outside 1..65535, a message limit under {@link #MIN_MESSAGE_BYTES}, or a CA
   *     file that cannot be read
   */
  public SyslogSender(SyslogTarget target) {
    this(target, localHostName());
  }

  /** With the HOSTNAME to write (the collector's name by default), e.g. a configured one. */
  public SyslogSender(SyslogTarget target, String hostname) {
    this.target = target;
    String transportName = String.valueOf(target.transport()).toLowerCase(Locale.ROOT);
    if (target.host() == null || target.host().isBlank()) {
      throw new IllegalArgumentException("syslog host is empty");
    }
    if (target.port() < 1 || target.port() > 65535) {
      throw new IllegalArgumentException("syslog port " + target.port() + " is not 1..65535");
    }
    if (target.maxMessageBytes() < MIN_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "syslog max message bytes "
              + target.maxMessageBytes()
              + " is under "
              + MIN_MESSAGE_BYTES
              + ", the size every receiver takes");
    }
    // Before the transport: a refused target must not leave a socket open behind it.
    int facility = SyslogFacility.code(target.facility());
    int max = target.maxMessageBytes();
    this.transport =
        switch (transportName) {
          case "udp" -> {
            max = Math.min(max, SyslogDatagrams.MAX_DATAGRAM);
            yield new SyslogDatagrams(target.host(), target.port());
          }
          case "tcp" -> new SyslogStream(target.host(), target.port(), null);
          case "tls" -> new SyslogStream(target.host(), target.port(), tls(target));
          default ->
              throw new IllegalArgumentException(
                  "unknown syslog transport '" + target.transport() + "' (udp, tcp or tls)");
        };
    this.hostname = SyslogText.printableAscii(hostname, SyslogMessage.MAX_HOSTNAME);
    this.format =
        new SyslogMessage(
            facility,
            this.hostname,
            target.appName(),
            Long.toString(ProcessHandle.current().pid()),
            version(),
            max);
  }

  /** The HOSTNAME field of the messages: printable US-ASCII, at most 255 characters. */
  public String hostname() {
    return hostname;
  }

  @Override
  public void send(List<SinkAlert> alerts) throws IOException {
    if (alerts.isEmpty()) {
      return;
    }
    List<byte[]> messages = new ArrayList<>(alerts.size());
    for (SinkAlert a : alerts) {
      messages.add(format.format(a));
    }
    transport.send(messages);
  }

  @Override
  public String describe() {
    return "syslog "
        + target.transport().toLowerCase(Locale.ROOT)
        + " "
        + (target.host().contains(":") ? "[" + target.host() + "]" : target.host())
        + ":"
        + target.port();
  }

  @Override
  public void close() throws IOException {
    transport.close();
  }

  private static javax.net.ssl.SSLSocketFactory tls(SyslogTarget target) {
    try {
      return SyslogTls.factory(target.caFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "syslog CA file " + target.caFile() + ": " + e.getMessage(), e);
    }
  }

  /** This host's name, or {@code -} (RFC 5424's NILVALUE) when it has none that resolves. */
  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "-";
    }
  }

  private static String version() {
    String v = SyslogSender.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
