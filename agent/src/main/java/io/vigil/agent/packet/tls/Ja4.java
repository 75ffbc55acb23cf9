package io.vigil.agent.packet.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The JA4 TLS-client fingerprint of a ClientHello (FoxIO, {@code technical_details/JA4.md}; JA4 is
 * BSD-3 licensed; the other JA4+ fingerprints are under another licence and not here), e.g. {@code
 * t13d1516h2_8daaf6152771_e5627efa2ab1}:
 *
 * <ol>
 *   <li>the transport: {@code t} TLS over TCP, {@code q} QUIC, {@code d} DTLS;
 *   <li>the version, 2 characters: the highest non-GREASE value of supported_versions when the
 *       extension is there (numerically highest, as FoxIO's tools take it), else legacy_version;
 *       {@code 13 12 11 10 s3 s2} for TLS 1.3 .. SSL 2.0, {@code d1 d2 d3} for DTLS 1.0/1.2/1.3,
 *       {@code 00} for anything else;
 *   <li>{@code d} when the server_name extension is present, else {@code i};
 *   <li>the number of cipher suites and of extensions, 2 digits each, GREASE not counted, capped at
 *       99 (SNI and ALPN count);
 *   <li>the first and last character of the first ALPN value; when either of its first or last byte
 *       is not an ASCII letter or digit, the first and last character of the value's hex instead;
 *       {@code 00} without ALPN or when the first value is empty;
 *   <li>{@code _} and the first 12 hex digits of the SHA-256 of the cipher suites as 4-digit
 *       lower-case hex, sorted, joined with {@code ,};
 *   <li>{@code _} and the same of the extension types, sorted, without SNI (0) and ALPN (16),
 *       followed, when there are any, by {@code _} and the signature algorithms in wire order.
 * </ol>
 *
 * GREASE values are left out everywhere. An empty cipher list, or an empty extension list (SNI and
 * ALPN removed), hashes to {@code 000000000000}.
 *
 * @param fingerprint the JA4 fingerprint
 * @param raw the same with the sorted lists in clear instead of hashed ({@code ja4_r})
 */
public record Ja4(String fingerprint, String raw) {
  private static final String EMPTY_HASH = "000000000000";

  /** How the hello travelled: the fingerprint's first character. */
  public enum Transport {
    TCP('t'),
    QUIC('q'),
    DTLS('d');

    private final char prefix;

    Transport(char prefix) {
      this.prefix = prefix;
    }

    /** The fingerprint's first character. */
    public char prefix() {
      return prefix;
    }
  }

  /** The fingerprint of {@code hello} carried over {@code transport}. */
  public static Ja4 of(ClientHello hello, Transport transport) {
    List<String> ciphers = hexNoGrease(hello.cipherSuites());
    List<Integer> extensionTypes = hello.extensionTypes();
    List<String> extensions = new ArrayList<>();
    int extensionCount = 0;
    for (int type : extensionTypes) {
      if (Grease.is(type)) {
        continue;
      }
      extensionCount++;
      if (type != TlsExtension.SERVER_NAME && type != TlsExtension.ALPN) {
        extensions.add(Hex.u16(type));
      }
    }
    List<String> signatures = hexNoGrease(hello.signatureAlgorithms());
    Collections.sort(ciphers);
    Collections.sort(extensions);

    StringBuilder a = new StringBuilder(10);
    a.append(transport.prefix());
    a.append(versionCode(version(hello)));
    a.append(hello.hasExtension(TlsExtension.SERVER_NAME) ? 'd' : 'i');
    twoDigits(a, ciphers.size());
    twoDigits(a, extensionCount);
    a.append(alpnCode(hello.alpnProtocols()));

    String cipherText = String.join(",", ciphers);
    String extensionText = String.join(",", extensions);
    if (!signatures.isEmpty()) {
      extensionText += "_" + String.join(",", signatures);
    }
    String fingerprint =
        a
            + "_"
            + (ciphers.isEmpty() ? EMPTY_HASH : hash12(cipherText))
            + "_"
            + (extensions.isEmpty() ? EMPTY_HASH : hash12(extensionText));
    String raw = a + "_" + cipherText + "_" + extensionText;
    return new Ja4(fingerprint, raw);
  }

  /** The version JA4 reports: the highest non-GREASE supported_versions value, else legacy. */
  static int version(ClientHello hello) {
    if (hello.hasExtension(TlsExtension.SUPPORTED_VERSIONS)) {
      int best = -1;
      for (int v : hello.supportedVersions()) {
        if (!Grease.is(v) && v > best) {
          best = v;
        }
      }
      if (best >= 0) {
        return best;
      }
    }
    return hello.legacyVersion();
  }

  static String versionCode(int version) {
    return switch (version) {
      case 0x0304 -> "13";
      case 0x0303 -> "12";
      case 0x0302 -> "11";
      case 0x0301 -> "10";
      case 0x0300 -> "s3";
      case 0x0002 -> "s2";
      case 0xfeff -> "d1";
      case 0xfefd -> "d2";
      case 0xfefc -> "d3";
      default -> "00";
    };
  }

  /** The two ALPN characters of the fingerprint. */
  static String alpnCode(List<String> protocols) {
    if (protocols.isEmpty() || protocols.get(0).isEmpty()) {
      return "00";
    }
    String first = protocols.get(0);
    char f = first.charAt(0);
    char l = first.charAt(first.length() - 1);
    if (alphanumeric(f) && alphanumeric(l)) {
      return "" + f + l;
    }
    // The value's bytes are its chars (ISO-8859-1, see ClientHello#alpnProtocols).
    String hex = Hex.of(first.getBytes(StandardCharsets.ISO_8859_1));
    return "" + hex.charAt(0) + hex.charAt(hex.length() - 1);
  }

  private static boolean alphanumeric(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  private static void twoDigits(StringBuilder sb, int n) {
    int capped = Math.min(n, 99);
    sb.append((char) ('0' + capped / 10)).append((char) ('0' + capped % 10));
  }

  private static List<String> hexNoGrease(List<Integer> values) {
    List<String> out = new ArrayList<>(values.size());
    for (int v : values) {
      if (!Grease.is(v)) {
        out.add(Hex.u16(v));
      }
    }
    return out;
  }

  private static String hash12(String text) {
    return Hex.digest("SHA-256", text.getBytes(StandardCharsets.US_ASCII)).substring(0, 12);
  }
}
