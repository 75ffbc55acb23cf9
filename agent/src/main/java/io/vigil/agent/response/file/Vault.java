package io.vigil.agent.response.file;

import io.vigil.agent.response.ActionRefusedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The quarantine vault: a directory owned by root:root with mode 0700, one subdirectory per entry
 * named by its id, holding {@code content} (mode 0000) and {@code metadata.properties}. A vault
 * that exists with wider permissions, another owner, or as a symbolic link is refused rather than
 * repaired: someone else may already have read what was in it. Not thread-safe.
 */
final class Vault {
  static final String CONTENT = "content";

  /** 16 random bytes, base64url without padding. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");

  private final Path dir;
  private final SecureRandom random = new SecureRandom();

  Vault(Path dir) {
    this.dir = dir;
  }

  /** The vault directory. */
  Path dir() {
    return dir;
  }

  /**
   * Creates the vault (mode 0700) when missing, then checks it.
   *
   * @throws ActionRefusedException when it is not a root-only directory
   */
  Path open() throws ActionRefusedException, IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made by someone else meanwhile: checked below like any existing vault
      }
    }
    Map<String, Object> a =
        Files.readAttributes(dir, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    if ((mode & 0170000) != 0040000) {
      throw new ActionRefusedException("the quarantine vault " + dir + " is not a directory");
    }
    if ((Integer) a.get("uid") != 0 || (Integer) a.get("gid") != 0) {
      throw new ActionRefusedException(
          "the quarantine vault "
              + dir
              + " is owned by "
              + a.get("uid")
              + ":"
              + a.get("gid")
              + ", not root:root; not using it");
    }
    if ((mode & 0777) != 0700) {
      throw new ActionRefusedException(
          "the quarantine vault "
              + dir
              + " has mode "
              + Integer.toOctalString(mode & 07777)
              + ", not 700; not using it");
    }
    return dir;
  }

  /** A new, unused id. */
  String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Creates the directory of a new entry (mode 0700). */
  Path create(String id) throws IOException {
    return Files.createDirectory(
        dir.resolve(id),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /**
   * The directory of an existing entry.
   *
   * @throws ActionRefusedException when the id is malformed or unknown
   */
  Path entry(String id) throws ActionRefusedException {
    if (!ID.matcher(id).matches()) {
      throw new ActionRefusedException(
          "quarantine id "
              + PathGuard.shown(id)
              + " is malformed (expected 22 characters"
              + " of A-Z a-z 0-9 _ -)");
    }
    Path e = dir.resolve(id);
    if (!Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)
        || !Files.exists(e.resolve(QuarantineRecord.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
      throw new ActionRefusedException("no quarantined file with id " + id);
    }
    return e;
  }

  /** Deletes an entry directory and what is in it; a missing entry is not an error. */
  static void delete(Path entry) throws IOException {
    for (String name :
        new String[] {
          CONTENT,
          CONTENT + ".partial",
          QuarantineRecord.FILE_NAME,
          QuarantineRecord.FILE_NAME + ".tmp"
        }) {
      Files.deleteIfExists(entry.resolve(name));
    }
    try {
      Files.deleteIfExists(entry);
    } catch (NoSuchFileException e) {
      // gone already
    }
  }

  /** fsync of a directory, so that a rename or create in it survives a crash. */
  static void syncDirectory(Path d) throws IOException {
    try (FileChannel c = FileChannel.open(d, StandardOpenOption.READ)) {
      c.force(true);
    }
  }
}
