package io.vigil.agent.sensor.fim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.proto.v1.FileState;
import java.util.HexFormat;

/**
 * A compact in-memory form of a {@link FileState}: the SHA-256 as its 32 bytes rather than 64 hex
 * characters, then the rest as protobuf. A deleted file's state ({@code exists = false}, nothing
 * else) is the empty array. Round-trips exactly: a digest that is not lower-case hex of 32 bytes
 * (from a hand-edited baseline file) stays in the protobuf part. Stateless.
 */
final class StateCodec {
  private static final byte[] TOMBSTONE = new byte[0];
  private static final byte PLAIN = 0;
  private static final byte RAW_SHA = 1;
  private static final HexFormat HEX = HexFormat.of();

  private StateCodec() {}

  static byte[] encode(FileState s) {
    if (s.equals(FileStateReader.ABSENT)) {
      return TOMBSTONE;
    }
    String sha = s.getSha256();
    if (sha.length() == 64 && isHex(sha)) {
      byte[] rest = s.toBuilder().clearSha256().build().toByteArray();
      byte[] out = new byte[1 + 32 + rest.length];
      out[0] = RAW_SHA;
      System.arraycopy(HEX.parseHex(sha), 0, out, 1, 32);
      System.arraycopy(rest, 0, out, 33, rest.length);
      return out;
    }
    byte[] rest = s.toByteArray();
    byte[] out = new byte[1 + rest.length];
    out[0] = PLAIN;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  static FileState decode(byte[] b) {
    if (b.length == 0) {
      return FileStateReader.ABSENT;
    }
    try {
      if (b[0] == RAW_SHA) {
        return FileState.parser().parseFrom(b, 33, b.length - 33).toBuilder()
            .setSha256(HEX.formatHex(b, 1, 33))
            .build();
      }
      return FileState.parser().parseFrom(b, 1, b.length - 1);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a state encoded here does not decode", e);
    }
  }

  static boolean isTombstone(byte[] b) {
    return b.length == 0;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }
}
