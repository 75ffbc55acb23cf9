package io.vigil.agent.packet.tls;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JA3 fingerprint of a ClientHello (Salesforce's ja3; Wireshark's {@code tls.handshake.ja3}):
 * {@code SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats}, each field the
 * decimal values joined with {@code -} in wire order, GREASE values (RFC 8701) left out, an absent
 * list an empty field; and the MD5 of that text in lower-case hex. SSLVersion is the hello's
 * legacy_version (771 for TLS 1.2 and 1.3 hellos alike).
 *
 * @param text the JA3 string
 * @param md5 its MD5, 32 lower-case hex digits (what "the JA3" usually means)
 */
public record Ja3(String text, String md5) {

  /** The fingerprint of {@code hello}. */
  public static Ja3 of(ClientHello hello) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(hello.legacyVersion()).append(',');
    join(sb, hello.cipherSuites());
    sb.append(',');
    join(sb, hello.extensionTypes());
    sb.append(',');
    join(sb, hello.supportedGroups());
    sb.append(',');
    join(sb, hello.ecPointFormats());
    return of(sb.toString());
  }

  static Ja3 of(String text) {
    return new Ja3(text, Hex.digest("MD5", text.getBytes(StandardCharsets.US_ASCII)));
  }

  /** Appends the non-GREASE values joined with {@code -}. */
  static void join(StringBuilder sb, List<Integer> values) {
    boolean first = true;
    for (int v : values) {
      if (Grease.is(v)) {
        continue;
      }
      if (!first) {
        sb.append('-');
      }
      sb.append(v);
      first = false;
    }
  }
}
