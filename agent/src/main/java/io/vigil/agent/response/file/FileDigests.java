package io.vigil.agent.response.file;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * MD5, SHA-1 and SHA-256 of one stream of bytes, computed together in one pass. Not thread-safe.
 */
final class FileDigests {
  private final MessageDigest md5 = digest("MD5");
  private final MessageDigest sha1 = digest("SHA-1");
  private final MessageDigest sha256 = digest("SHA-256");
  private long size;

  /** Adds the remaining bytes of {@code b}, leaving its position where it was. */
  void update(ByteBuffer b) {
    size += b.remaining();
    md5.update(b.duplicate());
    sha1.update(b.duplicate());
    sha256.update(b.duplicate());
  }

  void update(byte[] b, int off, int len) {
    size += len;
    md5.update(b, off, len);
    sha1.update(b, off, len);
    sha256.update(b, off, len);
  }

  /** Finishes: the digests as lower-case hex. Call once. */
  Result finish() {
    HexFormat hex = HexFormat.of();
    return new Result(
        hex.formatHex(md5.digest()),
        hex.formatHex(sha1.digest()),
        hex.formatHex(sha256.digest()),
        size);
  }

  /** The digests of a stream, lower-case hex, and its length. */
  record Result(String md5, String sha1, String sha256, long size) {}

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is required of every Java platform", e);
    }
  }
}
