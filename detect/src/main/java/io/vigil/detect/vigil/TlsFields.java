package io.vigil.detect.vigil;

import io.vigil.proto.v1.TlsEvent;
import java.util.List;

/**
 * A {@link TlsEvent} as Vigil's {@code tls} category. Sigma's taxonomy has no TLS log source, so
 * the names are Vigil's, in the Sysmon style of the host categories: {@code ServerName} (the SNI;
 * also answered as {@code DestinationHostname}, the name Sysmon gives the remote host), {@code
 * Ja3}, {@code Ja3s}, {@code Ja4} (fingerprints as the sensor wrote them; JA3/JA3S are MD5 hex),
 * {@code TlsVersion} ({@code TLS 1.3}, ...), {@code Alpn} (the first protocol offered), {@code
 * SourceIp}/{@code SourcePort} (the client), {@code DestinationIp}/{@code DestinationPort} (the
 * server). A handshake seen on the wire has no process: there are no process fields.
 */
final class TlsFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "ServerName",
          "DestinationHostname",
          "Ja3",
          "Ja3s",
          "Ja4",
          "TlsVersion",
          "Alpn",
          "SourceIp",
          "SourcePort",
          "DestinationIp",
          "DestinationPort");

  private final TlsEvent t;

  TlsFields(TlsEvent t) {
    this.t = t;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "ServerName", "DestinationHostname" -> text(t.getServerName());
      case "Ja3" -> text(t.getJa3());
      case "Ja3s" -> text(t.getJa3S());
      case "Ja4" -> text(t.getJa4());
      case "TlsVersion" -> text(t.getVersion());
      case "Alpn" -> text(t.getAlpn());
      case "SourceIp" -> text(t.getClientIp());
      case "SourcePort" -> positive(t.getClientPort());
      case "DestinationIp" -> text(t.getServerIp());
      case "DestinationPort" -> positive(t.getServerPort());
      default -> List.of();
    };
  }
}
