package io.vigil.collector.api;

import io.vigil.collector.store.ApiTokenStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin token: while the collector has no API token at all, it creates one for operator
 * {@code admin} and writes it to a file only the collector's user can read (directory 0700, file
 * 0600, written to a temporary file and renamed into place). Creating and writing are one: if the
 * file cannot be written, no token is stored, and the next start tries again. Once any token
 * exists, nothing is created again, even when the file is gone. The token's text is never logged.
 */
public final class BootstrapToken {
  private static final Logger log = LoggerFactory.getLogger(BootstrapToken.class);

  /** The operator the bootstrap token names. */
  public static final String OPERATOR = "admin";

  private BootstrapToken() {}

  /**
   * Creates the bootstrap token when {@code tokens} holds none.
   *
   * @return the new token's id; empty when a token existed
   */
  public static Optional<String> ensure(ApiTokenStore tokens, Path file, LongSupplier nowNs) {
    Optional<ApiTokenStore.Created> created =
        tokens.createFirst(
            OPERATOR,
            OperatorRole.ADMIN.text(),
            "collector",
            nowNs.getAsLong(),
            t -> write(file, t));
    created.ifPresent(
        c ->
            log.info(
                "no operator API token existed: created admin token {} for operator {} in {}"
                    + " (vigilctl on this host uses it by default; create named tokens with"
                    + " vigilctl api-token create)",
                c.row().tokenId(),
                OPERATOR,
                file));
    return created.map(c -> c.row().tokenId());
  }

  /** Writes {@code token} to {@code file} atomically, owner-only. */
  static void write(Path file, String token) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
