package io.vigil.collector.api;

import io.vigil.collector.store.ApiTokenStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap admin token: whenever the collector starts with no admin API token in force (none
 * was ever made, or each one is revoked or expired), it creates one for operator {@code admin},
 * without expiry, and writes it to a file only the collector's user can read (file 0600, written to
 * a temporary file and renamed into place). Without it nobody could create tokens or revoke agents
 * any more. Creating and writing are one: if the file cannot be written, no token is stored, and
 * the next start tries again. While an admin token is in force, nothing is created, even when the
 * file is gone. The token's text is never logged.
 *
 * <p>The file's directory is made 0700 only when this class creates it: an existing directory (say
 * {@code /etc/vigil}) belongs to whoever made it, and its mode is left alone; a warning says when
 * other users may write to it (they could replace the file).
 */
public final class BootstrapToken {
  private static final Logger log = LoggerFactory.getLogger(BootstrapToken.class);

  /** The operator the bootstrap token names. */
  public static final String OPERATOR = "admin";

  private BootstrapToken() {}

  /**
   * Creates the bootstrap token when {@code tokens} holds no admin token in force.
   *
   * @return the new token's id; empty when an admin token is in force
   * @throws IllegalStateException when the file cannot be written (nothing is stored then)
   */
  public static Optional<String> ensure(ApiTokenStore tokens, Path file, LongSupplier nowNs) {
    ApiTokens.Minted t = ApiTokens.mint();
    Optional<ApiTokenStore.NewAdmin> created =
        tokens.createAdminIfNoneInForce(
            t.stored(), OPERATOR, "collector", nowNs.getAsLong(), () -> write(file, t.text()));
    created.ifPresent(
        c -> {
          String what =
              "created admin token {} for operator {} in {} (vigilctl on this host uses it by"
                  + " default; create named tokens with vigilctl api-token create)";
          if (c.lapsedAdmins() == 0) {
            log.info(
                "no operator API admin token existed: " + what, c.row().tokenId(), OPERATOR, file);
          } else {
            // Not the first start: every admin token lapsed, which an operator should look into.
            log.warn(
                "no operator API admin token is in force ({} admin tokens, each revoked or"
                    + " expired): "
                    + what,
                c.lapsedAdmins(),
                c.row().tokenId(),
                OPERATOR,
                file);
          }
        });
    return created.map(c -> c.row().tokenId());
  }

  /** Writes {@code token} to {@code file} atomically, owner-only. */
  static void write(Path file, String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    directory(dir);
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Creates {@code dir} owner-only when it is missing; leaves an existing one as it is, warning
   * when other users may write to it.
   */
  private static void directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Path parent = dir.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        // Created 0700 from the start (the umask can only remove bits), and set again in case
        // the file system ignores the requested mode.
        Files.createDirectory(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return;
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isDirectory(dir)) {
          throw raced;
        }
        // Someone else made it meanwhile: it is theirs, checked below like any existing one.
      }
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
    if (mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      log.warn(
          "the directory {} of the bootstrap API token is writable by {} (mode {}): whoever can"
              + " write there can replace or remove the token file; make it writable by the"
              + " collector's user only (the collector does not change the mode of a directory it"
              + " did not create)",
          dir,
          mode.contains(PosixFilePermission.OTHERS_WRITE) ? "every user" : "its group",
          PosixFilePermissions.toString(mode));
    }
  }
}
