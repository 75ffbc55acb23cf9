package io.vigil.agent.packet.quic;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Test-only: the host name in a ClientHello's server_name extension (RFC 6066 3), found by walking
 * just far enough to reach the extensions; not a ClientHello parser. Assumes well-formed input.
 */
final class ClientHelloSni {
  private ClientHelloSni() {}

  /** {@code ch} is a whole handshake message, 4-byte header included. */
  static Optional<String> of(byte[] ch) {
    int p = 4 + 2 + 32; // header, legacy_version, random
    p += 1 + (ch[p] & 0xff); // legacy_session_id
    p += 2 + u16(ch, p); // cipher_suites
    p += 1 + (ch[p] & 0xff); // legacy_compression_methods
    int end = p + 2 + u16(ch, p);
    p += 2;
    while (p + 4 <= end) {
      int type = u16(ch, p);
      int len = u16(ch, p + 2);
      if (type == 0) {
        // server_name_list length (2), name_type host_name (1), HostName length (2), name
        int nameLen = u16(ch, p + 4 + 3);
        return Optional.of(new String(ch, p + 4 + 5, nameLen, StandardCharsets.US_ASCII));
      }
      p += 4 + len;
    }
    return Optional.empty();
  }

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }
}
