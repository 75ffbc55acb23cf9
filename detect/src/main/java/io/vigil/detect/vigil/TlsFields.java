package io.vigil.detect.vigil;

import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.TlsEvent;
import java.util.List;

/**
 * A {@link TlsEvent} as Vigil's {@code tls} category. Sigma's taxonomy has no TLS log source, so
 * the names are Vigil's, in the Sysmon style of the host categories: {@code ServerName} (the SNI;
 * also answered as {@code DestinationHostname}, the name Sysmon gives the remote host), {@code
 * Ja3}, {@code Ja3s}, {@code Ja4} (fingerprints as the sensor wrote them; JA3/JA3S are MD5 hex),
 * {@code TlsVersion} ({@code TLS 1.3}, ...), {@code Alpn} (the first protocol offered), {@code
 * SourceIp}/{@code SourcePort} (the client), {@code DestinationIp}/{@code DestinationPort} (the
 * server), the server certificate's {@code CertificateSubject}, {@code CertificateIssuer} and
 * {@code CertificateSha256} (TLS 1.2 and earlier), {@code Protocol} ({@code tls}, {@code quic v1})
 * and the local process when the packet sensor attributed the connection ({@code Image}, {@code
 * ProcessId}, {@code ProcessGuid}, {@code User}).
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
          "DestinationPort",
          "CertificateSubject",
          "CertificateIssuer",
          "CertificateSha256",
          "Protocol",
          "Image",
          "ProcessId",
          "ProcessGuid",
          "User");

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
    ProcessRef p = t.getProcess();
    boolean hasProcess = t.hasProcess();
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
      case "CertificateSubject" -> text(t.getCertificateSubject());
      case "CertificateIssuer" -> text(t.getCertificateIssuer());
      case "CertificateSha256" -> text(t.getCertificateSha256());
      case "Protocol" -> text(t.getProtocol());
      case "Image" -> hasProcess ? text(p.getImage()) : List.of();
      case "ProcessId" -> hasProcess ? positive(p.getPid()) : List.of();
      case "ProcessGuid" -> hasProcess ? text(p.getEntityId()) : List.of();
      case "User" -> hasProcess ? text(p.getUser()) : List.of();
      default -> List.of();
    };
  }
}
