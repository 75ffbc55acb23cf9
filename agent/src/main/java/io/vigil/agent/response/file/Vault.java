package io.vigil.agent.response.file;

import io.vigil.agent.response.ActionRefusedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quarantine vault: a directory owned by root:root with mode 0700, one subdirectory per entry
 * named by its id, holding {@code content} (mode 0000) and {@code metadata.properties}. A vault
 * that exists with wider permissions, another owner, or as a symbolic link is refused rather than
 * repaired: someone else may already have read what was in it. Not thread-safe.
 */
final class Vault {
  static final String CONTENT = "content";

  /**
   * A copy into the vault must leave at least this much free on the vault's filesystem: the default
   * vault shares it with the spool, and a full spool stops telemetry. 256 MiB covers a spool
   * segment or two and the agent's state; see {@link #FREE_FRACTION} for large disks.
   */
  static final long MIN_FREE_BYTES = 256L << 20;

  /** ...and at least this share of it (5 %, the usual root reserve of ext4). */
  static final double FREE_FRACTION = 0.05;

  private static final Logger log = LoggerFactory.getLogger(Vault.class);

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
   * Creates the vault (mode 0700) when missing, then checks it, then finishes or removes what an
   * interrupted quarantine left ({@link #recover}).
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
    recover();
    return dir;
  }

  /**
   * Deals with the entries whose record is still pending, that is, quarantines a crash cut short
   * (the record is written before the file moves). When the content is in the vault, it is locked
   * (mode 0000), hashed and the record completed, so that it can be restored; when it is not, the
   * file never moved and the entry is removed. Each is logged.
   *
   * @return one line per entry acted on, for the log and tests
   */
  List<String> recover() throws IOException {
    List<String> done = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        String id = e.getFileName().toString();
        if (!ID.matcher(id).matches()
            || !Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)
            || !Files.isRegularFile(
                e.resolve(QuarantineRecord.FILE_NAME), LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        QuarantineRecord r;
        try {
          r = QuarantineRecord.read(e);
        } catch (IOException ex) {
          log.warn("quarantine entry {} cannot be read: {}", id, PathGuard.shown(ex.getMessage()));
          continue;
        }
        if (!r.pending()) {
          continue;
        }
        Path content = e.resolve(CONTENT);
        String line;
        if (Files.isRegularFile(content, LinkOption.NOFOLLOW_LINKS)
            && copiedButNotRemoved(r, content)) {
          // The copy path was cut between the copy and the removal of the original: the file is
          // still in place and the vault holds a duplicate. Undo, so the vault never claims a
          // quarantine that did not happen.
          delete(e);
          line =
              "removed quarantine entry "
                  + id
                  + " of "
                  + PathGuard.shown(r.path().toString())
                  + ", interrupted after copying but before the original was removed: the file is"
                  + " STILL IN PLACE; quarantine it again";
        } else if (Files.isRegularFile(content, LinkOption.NOFOLLOW_LINKS)) {
          try {
            Files.setAttribute(content, "unix:mode", 0, LinkOption.NOFOLLOW_LINKS);
            r.complete(FileCopies.hash(content)).write(e);
          } catch (IOException ex) {
            // One damaged entry must not stop every later quarantine: restore refuses it.
            log.warn(
                "quarantine entry {} could not be completed: {}",
                id,
                PathGuard.shown(ex.getMessage()));
            continue;
          }
          line =
              "completed quarantine "
                  + id
                  + " of "
                  + PathGuard.shown(r.path().toString())
                  + ", interrupted after the file reached the vault (if it was copied from another"
                  + " filesystem, the original may still be in place)";
        } else {
          delete(e);
          line =
              "removed quarantine entry "
                  + id
                  + " of "
                  + PathGuard.shown(r.path().toString())
                  + ", interrupted before the file moved: it is still in place";
        }
        log.warn(line);
        done.add(line);
      }
    }
    if (!done.isEmpty()) {
      syncDirectory(dir);
    }
    return done;
  }

  /**
   * True when the original path still holds a regular file with the vault copy's content (another
   * inode): a cross-filesystem quarantine cut short before it removed the original. A file that an
   * attacker put at the path afterwards has other content and does not count.
   */
  private static boolean copiedButNotRemoved(QuarantineRecord r, Path content) {
    try {
      Path original = r.path();
      if (!Files.isRegularFile(original, LinkOption.NOFOLLOW_LINKS)
          || Files.isSameFile(original, content)
          || Files.size(original) != Files.size(content)) {
        return false;
      }
      return FileCopies.hash(original).sha256().equals(FileCopies.hash(content).sha256());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Refuses a copy of {@code size} bytes that would leave less than {@link #MIN_FREE_BYTES} or
   * {@link #FREE_FRACTION} of the vault's filesystem free.
   */
  void requireRoomFor(long size) throws ActionRefusedException, IOException {
    FileStore store = Files.getFileStore(dir);
    long total = store.getTotalSpace();
    long usable = store.getUsableSpace();
    long reserve = Math.max(MIN_FREE_BYTES, (long) (total * FREE_FRACTION));
    if (usable - size < reserve) {
      throw new ActionRefusedException(
          "not enough room in the quarantine vault "
              + dir
              + ": copying "
              + size
              + " bytes would leave "
              + Math.max(0, usable - size)
              + " of "
              + total
              + " bytes free, under the reserve of "
              + reserve
              + " (the larger of 256 MiB and 5 %)");
    }
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
