package io.vigil.proto.fim;

import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 over a baseline in a fixed encoding, so that the agent's copy and the collector's mirror
 * can be compared by one string. Entries are taken in the order of their paths' UTF-8 bytes
 * (unsigned), each encoded field by field (not as protobuf bytes, whose encoding may change between
 * library versions); exactly the fields {@link FimCompare} compares take part, so two baselines
 * have the same digest exactly when no entry differs. Not thread-safe.
 */
public final class FimDigest {
  private final MessageDigest sha = sha256();
  private final ByteBuffer fixed = ByteBuffer.allocate(64);
  private byte[] lastPath;
  private long entries;

  /** Adds the next entry; paths must come in strictly increasing order. */
  public FimDigest add(FimEntry e) {
    byte[] path = e.getPath().getBytes(StandardCharsets.UTF_8);
    if (lastPath != null && Arrays.compareUnsigned(lastPath, path) >= 0) {
      throw new IllegalArgumentException("entries out of path order at " + e.getPath());
    }
    lastPath = path;
    entries++;
    FileState s = e.getState();
    putText(path);
    fixed.clear();
    fixed.put((byte) (s.getExists() ? 1 : 0));
    fixed.putLong(s.getSize()).putInt(s.getMode()).putInt(s.getUid()).putInt(s.getGid());
    fixed.putLong(s.getMtimeNs()).putLong(s.getCtimeNs()).putLong(s.getInode());
    fixed.putLong(s.getHashedBytes());
    sha.update(fixed.array(), 0, fixed.position());
    putText(s.getSha256().getBytes(StandardCharsets.US_ASCII));
    putText(s.getHashSkipped().getBytes(StandardCharsets.UTF_8));
    putText(s.getLinkTarget().getBytes(StandardCharsets.UTF_8));
    return this;
  }

  /** Entries added so far. */
  public long entries() {
    return entries;
  }

  /** The digest as lower-case hex; the instance is spent afterwards. */
  public String finish() {
    ByteBuffer count = ByteBuffer.allocate(8).putLong(entries);
    sha.update(count.array());
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The digest of {@code entries} in any order; paths must be unique. */
  public static String of(Collection<FimEntry> entries) {
    List<FimEntry> sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> comparePaths(a.getPath(), b.getPath()));
    FimDigest d = new FimDigest();
    sorted.forEach(d::add);
    return d.finish();
  }

  /** The order digests use: UTF-8 bytes, unsigned. */
  public static int comparePaths(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private void putText(byte[] b) {
    // Length-prefixed, so that no two different field sequences encode alike.
    ByteBuffer len = ByteBuffer.allocate(4).putInt(b.length);
    sha.update(len.array());
    sha.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
