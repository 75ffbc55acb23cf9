package io.vigil.agent.response.file;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.FileMetadata;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.SortedMap;

/**
 * {@code Command.quarantine}: moves a regular file into the vault with its metadata, and sets its
 * mode to 0000 there so that a hard link elsewhere cannot run or read it either. Same filesystem: a
 * rename (inode, attributes and times kept). Another filesystem: a synced copy whose hash is
 * checked, then the original is unlinked if it did not change meanwhile. Runs on the dispatcher's
 * thread; blocks on the filesystem.
 */
public final class QuarantineAction implements Action {
  private final Vault vault;
  private final ProtectedFiles protectedFiles;
  private final boolean forceCopy;

  /**
   * @param response {@code response.quarantine.vault} and {@code response.protected_paths}
   * @param stateDir {@code agent.state_dir} (protected)
   * @param configFile the agent's configuration file, if any (protected)
   */
  public QuarantineAction(ResponseSection response, Path stateDir, Optional<Path> configFile) {
    this(
        new Vault(response.vault()),
        ProtectedFiles.forAgent(response, stateDir, configFile),
        false);
  }

  /** For tests: {@code forceCopy} takes the copy path even on one filesystem. */
  QuarantineAction(Vault vault, ProtectedFiles protectedFiles, boolean forceCopy) {
    this.vault = vault;
    this.protectedFiles = protectedFiles;
    this.forceCopy = forceCopy;
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (!command.hasQuarantine()) {
      throw new ActionRefusedException("not a quarantine command");
    }
    Path path = PathGuard.parse(command.getQuarantine().getPath());
    PathGuard.regularFile(path);
    Path real = PathGuard.realParent(path);
    Optional<String> reason = protectedFiles.reasonFor(real);
    if (reason.isPresent()) {
      throw new ActionRefusedException(
          "refusing to quarantine " + PathGuard.shown(path.toString()) + ": " + reason.get());
    }
    vault.open();
    // Before anything reads the file: a read moves the access time.
    FileState before = FileState.of(path);
    SortedMap<String, byte[]> xattrs = FileMetadata.readAttributes(path);
    String id = vault.newId();
    Path entry = vault.create(id);
    Path content = entry.resolve(Vault.CONTENT);
    FileMetadata.RenameOutcome moved =
        forceCopy
            ? FileMetadata.RenameOutcome.CROSS_DEVICE
            : FileMetadata.renameNoReplace(path, content);
    FileDigests.Result digests;
    try {
      digests =
          switch (moved) {
            case RENAMED -> lockAndHash(content);
            case CROSS_DEVICE -> copy(path, entry, before);
            case TARGET_EXISTS -> throw new IOException("vault entry " + id + " exists already");
          };
      new QuarantineRecord(
              path,
              real.getParent(),
              before.mode(),
              before.uid(),
              before.gid(),
              before.accessNanos(),
              before.modifiedNanos(),
              digests.size(),
              digests.md5(),
              digests.sha1(),
              digests.sha256(),
              xattrs,
              WallClock.nowNanos(),
              command.getCommandId())
          .write(entry);
      Vault.syncDirectory(vault.dir());
    } catch (IOException | RuntimeException e) {
      throw new IOException(undo(moved, path, content, entry, before) + e.getMessage(), e);
    }
    if (moved == FileMetadata.RenameOutcome.CROSS_DEVICE) {
      unlinkOriginal(path, before, entry);
    }
    result
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail("quarantined " + PathGuard.shown(path.toString()) + " as " + id)
        .putFacts("quarantine_id", id)
        .putFacts("sha256", digests.sha256())
        .putFacts("size", Long.toString(digests.size()))
        .putFacts("path", path.toString());
  }

  /** Locks the moved file (mode 0000) and hashes it where no one else can reach it by name. */
  private static FileDigests.Result lockAndHash(Path content) throws IOException {
    Files.setAttribute(content, "unix:mode", 0, LinkOption.NOFOLLOW_LINKS);
    return FileCopies.hash(content);
  }

  /** The copy path: copy, verify, lock. The original is still in place. */
  private static FileDigests.Result copy(Path path, Path entry, FileState before)
      throws IOException {
    Path partial = entry.resolve(Vault.CONTENT + ".partial");
    FileDigests.Result copied = FileCopies.copy(path, partial);
    if (!FileState.of(path).sameContentAs(before) || copied.size() != before.size()) {
      throw new IOException(path + " changed while it was copied into the vault");
    }
    FileDigests.Result check = FileCopies.hash(partial);
    if (!check.sha256().equals(copied.sha256())) {
      throw new IOException("the vault copy's SHA-256 differs from what was read");
    }
    Files.setAttribute(partial, "unix:mode", 0, LinkOption.NOFOLLOW_LINKS);
    Files.move(partial, entry.resolve(Vault.CONTENT), StandardCopyOption.ATOMIC_MOVE);
    return copied;
  }

  /** The copy path's last step; the entry is removed again when the original cannot be. */
  private static void unlinkOriginal(Path path, FileState before, Path entry) throws IOException {
    try {
      if (!FileState.of(path).sameContentAs(before)) {
        throw new IOException(path + " changed while it was copied into the vault");
      }
      Files.delete(path);
    } catch (IOException e) {
      Vault.delete(entry);
      throw new IOException(
          "not quarantined, the original is still in place: " + e.getMessage(), e);
    }
  }

  /** Puts things back as they were after a failure; says what state it left. */
  private static String undo(
      FileMetadata.RenameOutcome moved, Path path, Path content, Path entry, FileState before) {
    try {
      if (moved == FileMetadata.RenameOutcome.RENAMED && Files.exists(content)) {
        if (FileMetadata.renameNoReplace(content, path) != FileMetadata.RenameOutcome.RENAMED) {
          return "the file is left in the vault at " + content + " (mode 0000): ";
        }
        Files.setAttribute(path, "unix:mode", before.mode(), LinkOption.NOFOLLOW_LINKS);
        FileMetadata.setTimes(path, before.accessNanos(), before.modifiedNanos());
      }
      Vault.delete(entry);
      return "not quarantined, the file is back in place: ";
    } catch (IOException e) {
      return "undo failed (" + e.getMessage() + "), check " + path + " and " + entry + ": ";
    }
  }
}
