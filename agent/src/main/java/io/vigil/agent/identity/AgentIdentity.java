package io.vigil.agent.identity;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The agent's identity: a random UUID made at first start and kept in {@code <state_dir>/agent-id}.
 *
 * <p>Never derived from {@code /etc/machine-id}: cloned images share it, and two hosts must never
 * share an agent id. A file that does not hold a UUID is an error, never silently replaced, since a
 * new id would split the host's history at the collector. Immutable.
 *
 * @param agentId the agent id
 * @param file where it is kept
 */
public record AgentIdentity(UUID agentId, Path file) {
  static final String FILE_NAME = "agent-id";
  private static final Pattern CANONICAL =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /**
   * Reads the agent id from {@code stateDir}, or creates it (and the directory, mode 0700) at first
   * start. The file is written atomically with mode 0600 and synced, so a crash leaves either no
   * file or a complete one. Blocks on file I/O.
   *
   * @throws IOException when the directory or file cannot be read or written, or the file does not
   *     hold a valid id
   */
  public static AgentIdentity loadOrCreate(Path stateDir) throws IOException {
    if (!Files.isDirectory(stateDir)) {
      Files.createDirectories(
          stateDir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Path file = stateDir.resolve(FILE_NAME);
    try {
      return new AgentIdentity(read(file), file);
    } catch (NoSuchFileException e) {
      // First start: fall through and create.
    }
    UUID id = UUID.randomUUID();
    try {
      writeAtomically(file, id);
    } catch (FileAlreadyExistsException e) {
      // Another process created it between our read and write: use theirs.
      return new AgentIdentity(read(file), file);
    }
    return new AgentIdentity(id, file);
  }

  /**
   * Replaces the agent id in {@code stateDir} with {@code id} (atomically, mode 0600, synced): the
   * collector assigned another id at enrolment, and the certificate names that one. Blocks on file
   * I/O.
   */
  public static AgentIdentity replace(Path stateDir, UUID id) throws IOException {
    Path file = stateDir.resolve(FILE_NAME);
    Path tmp =
        Files.createTempFile(
            stateDir,
            FILE_NAME + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(stateDir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new AgentIdentity(id, file);
  }

  private static UUID read(Path file) throws IOException {
    if (Files.size(file) > 128) {
      throw corrupt(file, "it is larger than an id");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    if (!CANONICAL.matcher(text).matches()) {
      throw corrupt(file, "it does not hold a UUID");
    }
    return UUID.fromString(text);
  }

  private static IOException corrupt(Path file, String why) {
    return new IOException(
        "agent id file "
            + file
            + " is corrupt: "
            + why
            + ". Refusing to replace it, because a new id would make the collector see a new"
            + " host. Restore the file from a backup, or delete it to enrol as a new agent.");
  }

  private static void writeAtomically(Path file, UUID id) throws IOException {
    Path dir = file.getParent();
    Path tmp =
        Files.createTempFile(
            dir,
            FILE_NAME + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      // A hard link fails if the target exists (unlike rename), so two racing first starts
      // cannot overwrite each other's id; it is as atomic as a rename.
      try {
        Files.createLink(file, tmp);
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot write " + file + " atomically", e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
