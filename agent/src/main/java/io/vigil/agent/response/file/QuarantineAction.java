package io.vigil.agent.response.file;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.DirectoryHandle;
import io.vigil.agent.platform.linux.FileHandle;
import io.vigil.agent.platform.linux.FileMetadata;
import io.vigil.agent.platform.linux.FileStatus;
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
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * {@code Command.quarantine}: moves a regular file into the vault with its metadata, and sets its
 * mode to 0000 there so that a hard link elsewhere cannot run or read it either. Same filesystem: a
 * rename (inode, attributes and times kept). Another filesystem: a synced copy whose hash is
 * checked, then the original is unlinked if it did not change meanwhile.
 *
 * <p>The file's directory is reached once, without following links, and every check and the move
 * itself act on that directory handle and on the file's inode: a directory swapped for a link
 * between the check and the move cannot redirect the move (to {@code /etc/shadow}, say). The
 * entry's record is written and synced before the file moves, so a crash in between leaves an entry
 * that {@link Vault#recover} completes. Runs on the dispatcher's thread; blocks on the filesystem.
 */
public final class QuarantineAction implements Action {
  private static final org.slf4j.Logger log = LoggerFactory.getLogger(QuarantineAction.class);

  private final Vault vault;
  private final ProtectedFiles protectedFiles;
  private final boolean forceCopy;
  private final Consumer<String> stages;

  /**
   * @param response {@code response.quarantine.vault}, {@code response.protected_paths} and {@code
   *     response.nft}
   * @param stateDir {@code agent.state_dir} (protected)
   * @param configFile the agent's configuration file, if any (protected)
   * @param credentialFiles the files the agent needs to reach its collector (protected): {@code
   *     collector.cert_file}, {@code key_file}, {@code ca_file} and the enrolled address file
   */
  public QuarantineAction(
      ResponseSection response,
      Path stateDir,
      Optional<Path> configFile,
      List<Path> credentialFiles) {
    this(
        new Vault(response.vault()),
        ProtectedFiles.forAgent(response, stateDir, configFile, credentialFiles),
        false,
        stage -> {});
    recoverAtStart();
  }

  /**
   * Finishes or undoes, at agent start, what a crash left half-quarantined (a file already renamed
   * into the vault would otherwise keep its mode, setuid included, until the next quarantine or
   * restore). Only when the vault exists; never throws.
   */
  private void recoverAtStart() {
    if (!Files.isDirectory(vault.dir(), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      vault.open();
    } catch (ActionRefusedException | IOException | RuntimeException e) {
      log.warn(
          "the quarantine vault could not be checked at start: {}",
          PathGuard.shown(String.valueOf(e.getMessage())));
    }
  }

  /** For tests: {@code forceCopy} takes the copy path even on one filesystem. */
  QuarantineAction(Vault vault, ProtectedFiles protectedFiles, boolean forceCopy) {
    this(vault, protectedFiles, forceCopy, stage -> {});
  }

  /**
   * For tests: {@code stages} is called with {@code "checked"} after the checks, {@code "recorded"}
   * after the pending record is written and before the move, and {@code "moved"} after the move and
   * before the record is completed.
   */
  QuarantineAction(
      Vault vault, ProtectedFiles protectedFiles, boolean forceCopy, Consumer<String> stages) {
    this.vault = vault;
    this.protectedFiles = protectedFiles;
    this.forceCopy = forceCopy;
    this.stages = stages;
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (!command.hasQuarantine()) {
      throw new ActionRefusedException("not a quarantine command");
    }
    Path path = PathGuard.parse(command.getQuarantine().getPath());
    String name = path.getFileName().toString();
    try (DirectoryHandle dir = PathGuard.walkParent(path, "quarantine")) {
      // Before anything reads the file: a read moves the access time.
      FileStatus before = PathGuard.regularFile(dir, name, path);
      Path real = dir.realPath().resolve(name);
      SortedMap<String, byte[]> xattrs;
      try (FileHandle file = dir.openRead(name)) {
        if (!file.status().sameFileAs(before)) {
          throw new ActionRefusedException(
              PathGuard.shown(path.toString()) + " was replaced while it was examined");
        }
        Optional<String> reason = protectedFiles.reasonFor(real, file.procPath());
        if (reason.isPresent()) {
          throw new ActionRefusedException(
              "refusing to quarantine " + PathGuard.shown(path.toString()) + ": " + reason.get());
        }
        xattrs = file.readAttributes();
      }
      vault.open();
      stages.accept("checked");
      String id = vault.newId();
      Path entry = vault.create(id);
      QuarantineRecord record =
          new QuarantineRecord(
              path,
              real.getParent(),
              before.permissions(),
              before.uid(),
              before.gid(),
              before.accessNanos(),
              before.modifiedNanos(),
              before.size(),
              "",
              "",
              "",
              xattrs,
              WallClock.nowNanos(),
              command.getCommandId(),
              true);
      record.write(entry);
      Vault.syncDirectory(vault.dir());
      stages.accept("recorded");
      FileDigests.Result digests;
      try (DirectoryHandle entryDir = DirectoryHandle.walk(entry.toRealPath())) {
        FileMetadata.RenameOutcome moved = FileMetadata.RenameOutcome.CROSS_DEVICE;
        try {
          if (!forceCopy) {
            moved = dir.renameNoReplace(name, entryDir, Vault.CONTENT);
          }
          digests =
              switch (moved) {
                case RENAMED -> lockAndHash(path, entryDir, before);
                case CROSS_DEVICE -> copy(path, dir, name, entryDir, before);
                case TARGET_EXISTS ->
                    throw new IOException("vault entry " + id + " exists already");
              };
          stages.accept("moved");
          record.complete(digests).write(entry);
          Vault.syncDirectory(vault.dir());
          dir.sync();
        } catch (Exception e) {
          String state = undo(moved, dir, name, entryDir, entry, before, path);
          if (e instanceof ActionRefusedException r) {
            throw new ActionRefusedException(r.getMessage() + "; " + state);
          }
          throw new IOException(state + ": " + e.getMessage(), e);
        }
        if (moved == FileMetadata.RenameOutcome.CROSS_DEVICE) {
          unlinkOriginal(path, dir, name, before, entry);
        }
      }
      result
          .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
          .setDetail("quarantined " + PathGuard.shown(path.toString()) + " as " + id)
          .putFacts("quarantine_id", id)
          .putFacts("sha256", digests.sha256())
          .putFacts("size", Long.toString(digests.size()))
          .putFacts("path", path.toString());
    }
  }

  /**
   * Locks the moved file (mode 0000) and hashes it where no one else can reach it by name; first
   * checks that what moved is the inode that was checked (the name may have been given to another
   * file between the check and the rename).
   */
  private static FileDigests.Result lockAndHash(
      Path path, DirectoryHandle entryDir, FileStatus before)
      throws IOException, ActionRefusedException {
    try (FileHandle content = entryDir.openRead(Vault.CONTENT)) {
      if (!content.status().sameFileAs(before)) {
        throw new ActionRefusedException(
            PathGuard.shown(path.toString()) + " was replaced between the checks and the move");
      }
      content.setMode(0);
      return FileCopies.hashOpened(content.procPath());
    }
  }

  /** The copy path: copy, verify, lock. The original is still in place. */
  private FileDigests.Result copy(
      Path path, DirectoryHandle dir, String name, DirectoryHandle entryDir, FileStatus before)
      throws IOException, ActionRefusedException {
    vault.requireRoomFor(before.size());
    Path entry = vault.dir().resolve(entryDir.path().getFileName());
    Path partial = entry.resolve(Vault.CONTENT + ".partial");
    FileDigests.Result copied;
    try (FileHandle file = dir.openRead(name)) {
      FileStatus opened = file.status();
      if (!opened.sameFileAs(before)) {
        throw new ActionRefusedException(
            PathGuard.shown(path.toString()) + " was replaced between the checks and the copy");
      }
      copied = FileCopies.copy(file.procPath(), partial);
      FileStatus after = file.status();
      if (after.size() != before.size()
          || after.modifiedNanos() != before.modifiedNanos()
          || copied.size() != before.size()) {
        throw new IOException(
            PathGuard.shown(path.toString()) + " changed while it was copied into the vault");
      }
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
  private static void unlinkOriginal(
      Path path, DirectoryHandle dir, String name, FileStatus before, Path entry)
      throws IOException {
    try {
      FileStatus now =
          dir.statusOf(name).orElseThrow(() -> new IOException("it disappeared meanwhile"));
      if (!now.sameFileAs(before)
          || now.size() != before.size()
          || now.modifiedNanos() != before.modifiedNanos()) {
        throw new IOException(
            PathGuard.shown(path.toString()) + " changed while it was copied into the vault");
      }
      dir.unlink(name);
      dir.sync();
    } catch (IOException e) {
      Vault.delete(entry);
      Vault.syncDirectory(entry.getParent());
      throw new IOException(
          "not quarantined, the original is still in place: " + e.getMessage(), e);
    }
  }

  /** Puts things back as they were after a failure; says what state it left. */
  private static String undo(
      FileMetadata.RenameOutcome moved,
      DirectoryHandle dir,
      String name,
      DirectoryHandle entryDir,
      Path entry,
      FileStatus before,
      Path path) {
    try {
      if (moved == FileMetadata.RenameOutcome.RENAMED
          && entryDir.statusOf(Vault.CONTENT).isPresent()) {
        try (FileHandle content = entryDir.openRead(Vault.CONTENT)) {
          if (entryDir.renameNoReplace(Vault.CONTENT, dir, name)
              != FileMetadata.RenameOutcome.RENAMED) {
            return "the file is left in the vault at " + entry.resolve(Vault.CONTENT);
          }
          if (content.status().sameFileAs(before)) {
            content.setMode(before.permissions());
            content.setTimes(before.accessNanos(), before.modifiedNanos());
          }
        }
      }
      Vault.delete(entry);
      return "not quarantined, the file is back in place";
    } catch (IOException | RuntimeException e) {
      return "undo failed ("
          + e.getMessage()
          + "), check "
          + PathGuard.shown(path.toString())
          + " and "
          + entry;
    }
  }
}
