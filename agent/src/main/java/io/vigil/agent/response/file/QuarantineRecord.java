package io.vigil.agent.response.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a vault entry remembers of the file it holds, enough to put it back exactly. Stored as a
 * Java properties file ({@code metadata.properties}: plain text an administrator can read, with a
 * loader in the JDK), written atomically; attribute values are base64.
 *
 * @param path where the file was
 * @param realParent its directory with every link resolved, when it was quarantined
 * @param mode its full mode bits including setuid, setgid and sticky ({@code st_mode & 07777})
 * @param uid its owner
 * @param gid its group
 * @param accessNanos its access time, ns since the epoch
 * @param modifiedNanos its modification time, ns since the epoch
 * @param size its size, bytes
 * @param md5 lower-case hex
 * @param sha1 lower-case hex
 * @param sha256 lower-case hex
 * @param attributes every extended attribute, by name (security.capability included)
 * @param quarantinedNanos when it was moved into the vault, ns since the epoch
 * @param commandId the quarantine command
 * @param pending true while the file is being moved: the record is written (and synced) before the
 *     file moves, so that a crash in between leaves an entry that says where the file came from and
 *     how it looked; {@code size} is then what it was before and the hashes are empty
 */
record QuarantineRecord(
    Path path,
    Path realParent,
    int mode,
    int uid,
    int gid,
    long accessNanos,
    long modifiedNanos,
    long size,
    String md5,
    String sha1,
    String sha256,
    SortedMap<String, byte[]> attributes,
    long quarantinedNanos,
    String commandId,
    boolean pending) {

  static final String FILE_NAME = "metadata.properties";
  private static final String ATTRIBUTE = "xattr.";
  private static final String STATE = "state";
  private static final String PENDING = "pending";

  QuarantineRecord {
    attributes = Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
  }

  /** This record once the file is in the vault: with its digests, no longer pending. */
  QuarantineRecord complete(FileDigests.Result d) {
    return new QuarantineRecord(
        path,
        realParent,
        mode,
        uid,
        gid,
        accessNanos,
        modifiedNanos,
        d.size(),
        d.md5(),
        d.sha1(),
        d.sha256(),
        attributes,
        quarantinedNanos,
        commandId,
        false);
  }

  /** Writes it to {@code dir/metadata.properties} atomically (temporary file, fsync, rename). */
  void write(Path dir) throws IOException {
    Properties p = new Properties();
    p.setProperty("path", path.toString());
    p.setProperty("real_parent", realParent.toString());
    p.setProperty("mode", Integer.toOctalString(mode));
    p.setProperty("uid", Integer.toString(uid));
    p.setProperty("gid", Integer.toString(gid));
    p.setProperty("atime_ns", Long.toString(accessNanos));
    p.setProperty("mtime_ns", Long.toString(modifiedNanos));
    p.setProperty("size", Long.toString(size));
    p.setProperty("md5", md5);
    p.setProperty("sha1", sha1);
    p.setProperty("sha256", sha256);
    p.setProperty("quarantined_time_ns", Long.toString(quarantinedNanos));
    p.setProperty("command_id", commandId);
    p.setProperty(STATE, pending ? PENDING : "complete");
    for (Map.Entry<String, byte[]> a : attributes.entrySet()) {
      p.setProperty(ATTRIBUTE + a.getKey(), Base64.getEncoder().encodeToString(a.getValue()));
    }
    StringWriter text = new StringWriter();
    p.store(text, "vigil quarantine entry");
    Path tmp = dir.resolve(FILE_NAME + ".tmp");
    try (FileChannel c =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1));
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    }
    Files.move(tmp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
    Vault.syncDirectory(dir);
  }

  /**
   * Reads {@code dir/metadata.properties}.
   *
   * @throws IOException when it is missing, unreadable or incomplete
   */
  static QuarantineRecord read(Path dir) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve(FILE_NAME))) {
      p.load(in);
    }
    try {
      SortedMap<String, byte[]> attributes = new TreeMap<>();
      for (String key : p.stringPropertyNames()) {
        if (key.startsWith(ATTRIBUTE)) {
          attributes.put(
              key.substring(ATTRIBUTE.length()), Base64.getDecoder().decode(p.getProperty(key)));
        }
      }
      boolean pending = PENDING.equals(p.getProperty(STATE));
      return new QuarantineRecord(
          Path.of(required(p, "path")),
          Path.of(required(p, "real_parent")),
          Integer.parseInt(required(p, "mode"), 8),
          Integer.parseInt(required(p, "uid")),
          Integer.parseInt(required(p, "gid")),
          Long.parseLong(required(p, "atime_ns")),
          Long.parseLong(required(p, "mtime_ns")),
          Long.parseLong(required(p, "size")),
          pending ? p.getProperty("md5", "") : required(p, "md5"),
          pending ? p.getProperty("sha1", "") : required(p, "sha1"),
          pending ? p.getProperty("sha256", "") : required(p, "sha256"),
          attributes,
          Long.parseLong(required(p, "quarantined_time_ns")),
          p.getProperty("command_id", ""),
          pending);
    } catch (IllegalArgumentException e) {
      throw new IOException(dir.resolve(FILE_NAME) + " is damaged: " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("no " + key);
    }
    return v;
  }
}
