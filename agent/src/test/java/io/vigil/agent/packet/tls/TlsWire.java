package io.vigil.agent.packet.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test-only: builds TLS wire structures by hand (RFC 8446 presentation language). */
final class TlsWire {
  static final int TLS12 = 0x0303;
  static final int TLS13 = 0x0304;

  /** The HelloRetryRequest random (RFC 8446 4.1.3). */
  static final byte[] HRR_RANDOM =
      hex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

  private TlsWire() {}

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] hex(String s) {
    byte[] out = new byte[s.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }

  static String hexOf(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }

  static byte[] u8(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] u16(int... values) {
    byte[] out = new byte[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      out[2 * i] = (byte) (values[i] >> 8);
      out[2 * i + 1] = (byte) values[i];
    }
    return out;
  }

  static byte[] vec8(byte[]... parts) {
    byte[] body = concat(parts);
    return concat(u8(body.length), body);
  }

  static byte[] vec16(byte[]... parts) {
    byte[] body = concat(parts);
    return concat(u16(body.length), body);
  }

  static byte[] vec24(byte[]... parts) {
    byte[] body = concat(parts);
    return concat(u8(body.length >> 16, body.length >> 8, body.length), body);
  }

  static byte[] ext(int type, byte[] data) {
    return concat(u16(type), vec16(data));
  }

  static byte[] sni(String host) {
    return ext(0, vec16(u8(0), vec16(host.getBytes(StandardCharsets.ISO_8859_1))));
  }

  static byte[] alpn(String... names) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (String n : names) {
      list.writeBytes(vec8(n.getBytes(StandardCharsets.ISO_8859_1)));
    }
    return ext(16, vec16(list.toByteArray()));
  }

  static byte[] clientVersions(int... versions) {
    return ext(43, vec8(u16(versions)));
  }

  static byte[] groups(int... groups) {
    return ext(10, vec16(u16(groups)));
  }

  static byte[] pointFormats(int... formats) {
    return ext(11, vec8(u8(formats)));
  }

  static byte[] signatureAlgorithms(int... algorithms) {
    return ext(13, vec16(u16(algorithms)));
  }

  /** A ClientHello body; no extensions block at all when {@code extensions} is null. */
  static byte[] clientHello(int version, int[] ciphers, byte[]... extensions) {
    byte[] head =
        concat(u16(version), new byte[32], vec8(u8(1, 2, 3, 4)), vec16(u16(ciphers)), vec8(u8(0)));
    return extensions == null ? head : concat(head, vec16(extensions));
  }

  /** An RFC 8446-layout ServerHello body. */
  static byte[] serverHello(int version, byte[] random, int cipher, byte[]... extensions) {
    return concat(u16(version), random, vec8(u8(9, 9)), u16(cipher), u8(0), vec16(extensions));
  }

  static byte[] handshake(int type, byte[] body) {
    return concat(u8(type), vec24(body));
  }

  static byte[] record(int type, byte[] payload) {
    return concat(u8(type), u16(0x0301), vec16(payload));
  }
}
