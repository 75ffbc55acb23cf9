package io.vigil.agent.packet.quic;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test-only: hex byte strings, inline or from {@code golden/quic/*.hex} ('#' lines are notes). */
final class Vectors {
  /** The DCID of every RFC 9001 / RFC 9369 / draft-29 example. */
  static final byte[] RFC_DCID = hex("8394c8f03e515708");

  private Vectors() {}

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static byte[] resource(String name) {
    try (InputStream in = Vectors.class.getResourceAsStream("/golden/quic/" + name)) {
      if (in == null) {
        throw new AssertionError("missing test resource golden/quic/" + name);
      }
      StringBuilder sb = new StringBuilder();
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.startsWith("#")) {
          sb.append(line);
        }
      }
      return hex(sb.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
