package io.vigil.detect.vigil;

import io.vigil.proto.v1.TlsEvent;
import java.util.List;

/**
 * A {@link TlsEvent} as Zeek's {@code ssl.log} ({@code product: zeek, service: ssl}): {@code
 * server_name} (the SNI), {@code version} in Zeek's spelling ({@code TLSv12}, {@code TLSv13},
 * {@code SSLv3}, ...), the fingerprints the JA3 and JA4 Zeek packages add ({@code ja3}, {@code
 * ja3s}, {@code ja4}) and {@code id.orig_h}/{@code id.orig_p}/{@code id.resp_h}/{@code id.resp_p}.
 * Absent: {@code cipher}, {@code curve}, {@code established}, {@code resumed}, certificate fields
 * ({@code subject}, {@code issuer}, {@code validation_status}, fingerprints of the chain), and
 * {@code next_protocol} (Zeek's is the protocol the server chose; Vigil records the client's first
 * ALPN offer, which is not the same thing).
 */
final class ZeekSslFields extends NamedFields {
  static final List<String> NAMES =
      List.of(
          "server_name",
          "version",
          "ja3",
          "ja3s",
          "ja4",
          "id.orig_h",
          "id.orig_p",
          "id.resp_h",
          "id.resp_p");

  private final TlsEvent t;

  ZeekSslFields(TlsEvent t) {
    this.t = t;
  }

  @Override
  List<String> names() {
    return NAMES;
  }

  @Override
  public List<Object> values(String field) {
    return switch (field) {
      case "server_name" -> text(t.getServerName());
      case "version" -> text(zeekVersion(t.getVersion()));
      case "ja3" -> text(t.getJa3());
      case "ja3s" -> text(t.getJa3S());
      case "ja4" -> text(t.getJa4());
      case "id.orig_h" -> text(t.getClientIp());
      case "id.orig_p" -> positive(t.getClientPort());
      case "id.resp_h" -> text(t.getServerIp());
      case "id.resp_p" -> positive(t.getServerPort());
      default -> List.of();
    };
  }

  /**
   * Vigil writes versions as {@code TLS 1.2}; Zeek as {@code TLSv12} ({@code SSLv3}, {@code
   * DTLSv12}). A version Vigil spells some other way is passed on unchanged rather than guessed.
   */
  static String zeekVersion(String vigil) {
    return switch (vigil) {
      case "SSL 2.0" -> "SSLv2";
      case "SSL 3.0" -> "SSLv3";
      case "TLS 1.0" -> "TLSv10";
      case "TLS 1.1" -> "TLSv11";
      case "TLS 1.2" -> "TLSv12";
      case "TLS 1.3" -> "TLSv13";
      case "DTLS 1.0" -> "DTLSv10";
      case "DTLS 1.2" -> "DTLSv12";
      case "DTLS 1.3" -> "DTLSv13";
      default -> vigil;
    };
  }
}
