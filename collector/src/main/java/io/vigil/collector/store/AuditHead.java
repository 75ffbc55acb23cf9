package io.vigil.collector.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The head of the audit chain (the last row's id and hash), kept in a small file next to the
 * database ({@code <database>.audit-head}, mode 0600): a row deleted at the end of the log leaves
 * the chain itself intact, so only a record outside the table can show it. Written atomically
 * (temporary file, fsync, rename).
 *
 * <p>Format: the line {@code vigil audit head v1}, then {@code <id> <hash>}, each ending in a
 * newline.
 *
 * @param id the last row's id
 * @param hash its hash, lower-case hex
 */
record AuditHead(long id, String hash) {
  private static final String MAGIC = "vigil audit head v1";
  private static final Pattern LINE = Pattern.compile("([1-9][0-9]{0,18}) ([0-9a-f]{64})");

  /** The head file of the database {@code database}. */
  static Path fileOf(Path database) {
    return database.resolveSibling(database.getFileName() + ".audit-head");
  }

  /**
   * Reads a head file.
   *
   * @return empty when the file does not exist
   * @throws IOException when it cannot be read or is not a head file (the message says which)
   */
  static Optional<AuditHead> read(Path file) throws IOException {
    String text;
    try {
      if (Files.size(file) > 4096) {
        throw new IOException(file + " is not an audit head file (too large)");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] lines = text.split("\n", -1);
    if (lines.length != 3 || !lines[0].equals(MAGIC) || !lines[2].isEmpty()) {
      throw new IOException(file + " is not an audit head file");
    }
    Matcher m = LINE.matcher(lines[1]);
    if (!m.matches()) {
      throw new IOException(file + " is not an audit head file (bad id or hash)");
    }
    return Optional.of(new AuditHead(Long.parseLong(m.group(1)), m.group(2)));
  }

  /** Writes {@code head} to {@code file} atomically, mode 0600. */
  static void write(Path file, AuditHead head) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(
            StandardCharsets.US_ASCII.encode(MAGIC + "\n" + head.id() + " " + head.hash() + "\n"));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  @Override
  public String toString() {
    return "row " + id + " with hash " + hash;
  }
}
