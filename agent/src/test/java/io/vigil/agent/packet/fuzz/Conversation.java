package io.vigil.agent.packet.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The input format of the stream-level fuzz targets: the two directions of one connection as a
 * sequence of chunks, each {@code [side][length: 2 bytes big-endian][bytes]} (side's low bit: 0 the
 * client, 1 the server; a length past the end takes what is left). Mutations then move chunk
 * boundaries, swap sides and damage contents, as packet loss and reordering would.
 */
final class Conversation {
  /** Receives the chunks in order. */
  interface Chunks {
    void chunk(boolean fromServer, byte[] b, int off, int len);
  }

  private Conversation() {}

  static void replay(byte[] in, Chunks out) {
    int i = 0;
    while (i + 3 <= in.length) {
      boolean server = (in[i] & 1) != 0;
      int len = (in[i + 1] & 0xff) << 8 | in[i + 2] & 0xff;
      i += 3;
      len = Math.min(len, in.length - i);
      out.chunk(server, in, i, len);
      i += len;
    }
  }

  /** The client's bytes then the server's, in chunks of at most {@code chunk} bytes. */
  static byte[] of(byte[] client, byte[] server, int chunk) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    int c = 0;
    int s = 0;
    while (c < client.length || s < server.length) {
      // alternate, so that a request is followed by its response as on the wire
      if (c < client.length) {
        int n = Math.min(chunk, client.length - c);
        write(o, 0, Arrays.copyOfRange(client, c, c + n));
        c += n;
      }
      if (s < server.length) {
        int n = Math.min(chunk, server.length - s);
        write(o, 1, Arrays.copyOfRange(server, s, s + n));
        s += n;
      }
    }
    return o.toByteArray();
  }

  private static void write(ByteArrayOutputStream o, int side, byte[] b) {
    o.write(side);
    o.write(b.length >>> 8);
    o.write(b.length);
    o.write(b, 0, b.length);
  }
}
