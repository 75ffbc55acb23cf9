package io.vigil.agent.sensor.fim;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The baseline on the agent's disk, {@value #FILE_NAME} in the state directory, so that changes
 * made while the agent is stopped are found at its next start. It is only the agent's copy: root
 * can rewrite it, which is why the baseline is also mirrored to the collector.
 *
 * <p>Format, version 1: the 8 bytes {@code VIGILFIM}, a big-endian 32-bit version, then in protobuf
 * wire primitives the baseline id, whether a resync is owed to the collector, the {@link Scope}
 * (configured paths and exclusions, each as a count and strings, and the hash limit), the entry
 * count and each {@link FimEntry} as a length-delimited message; last the SHA-256 of all the bytes
 * before it. A file whose checksum, magic or version does not match is refused whole.
 *
 * <p>Saved atomically: written to a temporary file (mode 0600), flushed to disk, renamed over the
 * old one, and the directory flushed, so a crash leaves the old or the new file, never a mix.
 * Blocks on the disk; not thread-safe (the sensor's worker thread only).
 */
final class BaselineStore {
  /** The file's name in the state directory. */
  static final String FILE_NAME = "fim-baseline.pb";

  private static final byte[] MAGIC = "VIGILFIM".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int CHECKSUM_BYTES = 32;
  private static final long MAX_BYTES = 1L << 30;

  /**
   * What a baseline covers; a baseline saved under another scope is brought to this one silently
   * and sent again whole (reason "config"). The hash limit is part of it because changing it
   * changes the hash of every larger file.
   *
   * @param paths configured patterns, sorted, without duplicates
   * @param excludes configured exclusions, sorted, without duplicates
   * @param maxFileBytes bytes hashed of a regular file at most
   */
  record Scope(List<String> paths, List<String> excludes, long maxFileBytes) {
    Scope {
      paths = List.copyOf(new TreeSet<>(paths));
      excludes = List.copyOf(new TreeSet<>(excludes));
    }
  }

  /**
   * A loaded baseline.
   *
   * @param baseline the entries and id
   * @param scope what it covered when saved
   * @param resyncPending the collector's mirror was behind when it was saved
   */
  record Stored(Baseline baseline, Scope scope, boolean resyncPending) {}

  private final Path dir;
  private final Path file;
  private final Path temp;

  BaselineStore(Path dir) {
    this.dir = dir;
    this.file = dir.resolve(FILE_NAME);
    this.temp = dir.resolve(FILE_NAME + ".tmp");
  }

  /** The baseline file. */
  Path file() {
    return file;
  }

  /**
   * Reads the saved baseline.
   *
   * @return empty when there is none
   * @throws IOException when it cannot be read or is corrupt; the message says which
   */
  Optional<Stored> load() throws IOException {
    byte[] all;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new IOException(file + " is " + size + " bytes, more than any baseline would be");
      }
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    int body = all.length - CHECKSUM_BYTES;
    if (body < MAGIC.length + 4 || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException(file + " is not a Vigil baseline file");
    }
    MessageDigest sha = sha256();
    sha.update(all, 0, body);
    if (!Arrays.equals(sha.digest(), 0, CHECKSUM_BYTES, all, body, all.length)) {
      throw new IOException(file + " is corrupt (checksum mismatch)");
    }
    int version = ByteBuffer.wrap(all, MAGIC.length, 4).getInt();
    if (version != VERSION) {
      throw new IOException(file + " has format version " + version + ", expected " + VERSION);
    }
    int start = MAGIC.length + 4;
    try {
      return Optional.of(parse(CodedInputStream.newInstance(all, start, body - start)));
    } catch (IOException | RuntimeException e) {
      throw new IOException(file + " is malformed: " + e.getMessage(), e);
    }
  }

  private static Stored parse(CodedInputStream in) throws IOException {
    in.setSizeLimit(Integer.MAX_VALUE);
    String id = in.readString();
    boolean resync = in.readBool();
    List<String> paths = readStrings(in);
    List<String> excludes = readStrings(in);
    long maxFileBytes = in.readUInt64();
    long count = in.readUInt64();
    Map<String, FileState> states = new HashMap<>();
    for (long i = 0; i < count; i++) {
      FimEntry e = in.readMessage(FimEntry.parser(), ExtensionRegistryLite.getEmptyRegistry());
      states.put(e.getPath(), e.getState());
    }
    if (!in.isAtEnd()) {
      throw new IOException("bytes after the last entry");
    }
    return new Stored(new Baseline(id, states), new Scope(paths, excludes, maxFileBytes), resync);
  }

  private static List<String> readStrings(CodedInputStream in) throws IOException {
    int n = in.readUInt32();
    if (n < 0 || n > 100_000) {
      throw new IOException("implausible list length " + n);
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.readString());
    }
    return out;
  }

  /**
   * Saves {@code baseline} atomically, creating the directory if needed.
   *
   * @throws IOException when the directory or file cannot be written
   */
  void save(Baseline baseline, Scope scope, boolean resyncPending) throws IOException {
    Files.createDirectories(dir);
    Files.deleteIfExists(temp);
    MessageDigest sha = sha256();
    try (FileChannel ch =
        FileChannel.open(
            temp,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
      DigestOutputStream out = new DigestOutputStream(raw, sha);
      out.write(MAGIC);
      out.write(ByteBuffer.allocate(4).putInt(VERSION).array());
      CodedOutputStream c = CodedOutputStream.newInstance(out, 1 << 16);
      c.writeStringNoTag(baseline.id());
      c.writeBoolNoTag(resyncPending);
      writeStrings(c, scope.paths());
      writeStrings(c, scope.excludes());
      c.writeUInt64NoTag(scope.maxFileBytes());
      c.writeUInt64NoTag(baseline.size());
      for (String path : baseline.paths()) {
        c.writeMessageNoTag(
            FimEntry.newBuilder().setPath(path).setState(baseline.get(path)).build());
      }
      c.flush();
      out.on(false);
      raw.write(sha.digest());
      raw.flush();
      ch.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true); // makes the rename itself durable
    }
  }

  private static void writeStrings(CodedOutputStream c, List<String> list) throws IOException {
    c.writeUInt32NoTag(list.size());
    for (String s : list) {
      c.writeStringNoTag(s);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
