package io.vigil.agent.sensor.network;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds {@code inet_diag_msg} payloads the way the kernel lays them out, for parser tests. */
final class DiagMessages {
  private DiagMessages() {}

  static byte[] message(
      int family,
      int state,
      byte[] src,
      int sport,
      byte[] dst,
      int dport,
      int uid,
      int inode,
      int trailing) {
    ByteBuffer b = ByteBuffer.allocate(72 + trailing).order(ByteOrder.nativeOrder());
    b.put((byte) family).put((byte) state).put((byte) 0).put((byte) 0);
    b.order(ByteOrder.BIG_ENDIAN).putShort((short) sport).putShort((short) dport);
    b.position(8).put(src).position(24).put(dst);
    b.order(ByteOrder.nativeOrder()).putInt(64, uid).putInt(68, inode);
    return b.array();
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  static byte[] v4Mapped(int a, int b, int c, int d) {
    return bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d);
  }
}
