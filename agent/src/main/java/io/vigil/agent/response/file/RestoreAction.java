package io.vigil.agent.response.file;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.DirectoryHandle;
import io.vigil.agent.platform.linux.FileHandle;
import io.vigil.agent.platform.linux.FileMetadata;
import io.vigil.agent.platform.linux.FileMetadataException;
import io.vigil.agent.platform.linux.SymbolicLinkOnPathException;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * {@code Command.restore}: puts a quarantined file back at its original path, byte-identical, with
 * its owner, mode, extended attributes and times. The file is prepared completely first, on a
 * descriptor (in the vault on the same filesystem, as an unnamed {@code O_TMPFILE} in the target
 * directory otherwise), and appears at its path in one rename or link that never replaces anything,
 * into the target directory reached without following any link. Runs on the dispatcher's thread;
 * blocks on the filesystem.
 */
public final class RestoreAction implements Action {
  private final Vault vault;
  private final boolean forceCopy;

  /**
   * @param response {@code response.quarantine.vault}
   */
  public RestoreAction(ResponseSection response) {
    this(new Vault(response.vault()), false);
  }

  /** For tests: {@code forceCopy} takes the copy path even on one filesystem. */
  RestoreAction(Vault vault, boolean forceCopy) {
    this.vault = vault;
    this.forceCopy = forceCopy;
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (!command.hasRestore()) {
      throw new ActionRefusedException("not a restore command");
    }
    String id = command.getRestore().getQuarantineId();
    vault.open();
    Path entry = vault.entry(id);
    QuarantineRecord record = QuarantineRecord.read(entry);
    if (record.pending()) {
      throw new ActionRefusedException(
          "cannot restore " + id + ": its quarantine did not finish and could not be completed");
    }
    Path target = record.path();
    Path parent = target.getParent();
    String name = target.getFileName().toString();
    try (DirectoryHandle dir = walkTarget(id, parent);
        DirectoryHandle entryDir = DirectoryHandle.walk(entry.toRealPath());
        FileHandle content = entryDir.openRead(Vault.CONTENT)) {
      Path realParent = dir.realPath();
      if (!realParent.equals(record.realParent())) {
        throw new ActionRefusedException(
            "cannot restore "
                + id
                + ": the directory "
                + PathGuard.shown(parent.toString())
                + " now leads to "
                + PathGuard.shown(realParent.toString())
                + ", not "
                + PathGuard.shown(record.realParent().toString())
                + " as when it was quarantined");
      }
      if (dir.statusOf(name).isPresent()) {
        throw new ActionRefusedException(
            "cannot restore "
                + id
                + ": something exists at "
                + PathGuard.shown(target.toString())
                + " now; move it away first");
      }
      boolean sameFilesystem = !forceCopy && content.status().device() == dir.status().device();
      if (sameFilesystem) {
        inPlace(id, record, dir, name, entryDir, content);
      } else {
        copied(id, record, dir, name, content);
      }
      dir.sync();
    }
    String detail = "restored " + id + " to " + PathGuard.shown(target.toString());
    try {
      Vault.delete(entry);
    } catch (IOException e) {
      detail += "; the vault entry could not be removed: " + e.getMessage();
    }
    result
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail(detail)
        .putFacts("path", target.toString())
        .putFacts("sha256", record.sha256())
        .putFacts("quarantine_id", id);
  }

  /**
   * The target's directory, walked without following links: the record's path had none when it was
   * quarantined, so a link now means a directory was swapped.
   */
  private static DirectoryHandle walkTarget(String id, Path parent)
      throws ActionRefusedException, IOException {
    try {
      return DirectoryHandle.walk(parent);
    } catch (SymbolicLinkOnPathException e) {
      throw new ActionRefusedException(
          "cannot restore "
              + id
              + ": the directory "
              + PathGuard.shown(parent.toString())
              + " now leads to a symbolic link at "
              + PathGuard.shown(e.link().toString())
              + (e.target() == null ? "" : " (to " + PathGuard.shown(e.target()) + ")")
              + ", which is not followed: restoring through it could put the file elsewhere");
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw new ActionRefusedException(
          "cannot restore "
              + id
              + ": the directory "
              + PathGuard.shown(parent.toString())
              + " no longer exists");
    }
  }

  /**
   * Same filesystem: the vault's file gets its metadata back on its descriptor, inside the vault
   * where no one else can reach it, then is renamed into the directory handle.
   */
  private static void inPlace(
      String id,
      QuarantineRecord record,
      DirectoryHandle dir,
      String name,
      DirectoryHandle entryDir,
      FileHandle content)
      throws Exception {
    try {
      verify(FileCopies.hashOpened(content.procPath()), record);
      apply(content, record);
      FileMetadata.RenameOutcome renamed = entryDir.renameNoReplace(Vault.CONTENT, dir, name);
      if (renamed != FileMetadata.RenameOutcome.RENAMED) {
        throw new ActionRefusedException(
            "cannot restore "
                + id
                + ": "
                + (renamed == FileMetadata.RenameOutcome.TARGET_EXISTS
                    ? "something appeared at " + PathGuard.shown(record.path().toString())
                    : "the vault is on another filesystem than "
                        + PathGuard.shown(record.path().toString())));
      }
    } catch (Exception e) {
      try {
        if (entryDir.statusOf(Vault.CONTENT).isPresent()) {
          content.setMode(0);
        }
      } catch (IOException ignored) {
        // the original failure is what the operator needs; this one is visible in the vault
      }
      throw e;
    }
  }

  /**
   * Another filesystem: an unnamed file ({@code O_TMPFILE}) in the target directory gets the
   * content and every piece of metadata on its descriptor, and only then a name ({@code linkat},
   * never replacing). Until then no one, not even the directory's owner, can reach or swap it.
   */
  private static void copied(
      String id, QuarantineRecord record, DirectoryHandle dir, String name, FileHandle content)
      throws Exception {
    FileHandle staged;
    try {
      staged = dir.createUnnamed();
    } catch (FileMetadataException e) {
      throw new ActionRefusedException(
          "cannot restore "
              + id
              + ": the filesystem of "
              + PathGuard.shown(record.path().getParent().toString())
              + " does not allow an unnamed file to be prepared ("
              + e.getMessage()
              + "); move the vault onto that filesystem or restore by hand from the vault entry");
    }
    try (staged;
        FileChannel in = FileChannel.open(content.procPath(), StandardOpenOption.READ);
        FileChannel out = FileChannel.open(staged.procPath(), StandardOpenOption.WRITE)) {
      verify(FileCopies.copy(in, out), record);
      apply(staged, record);
      if (!dir.link(staged, name)) {
        throw new ActionRefusedException(
            "cannot restore "
                + id
                + ": something appeared at "
                + PathGuard.shown(record.path().toString()));
      }
    }
  }

  private static void verify(FileDigests.Result digests, QuarantineRecord record)
      throws IOException {
    if (!digests.sha256().equals(record.sha256()) || digests.size() != record.size()) {
      throw new IOException(
          "the vault's copy no longer matches: SHA-256 "
              + digests.sha256()
              + ", expected "
              + record.sha256());
    }
  }

  /**
   * Owner, then mode (a chown clears setuid and setgid), then extended attributes (a chown also
   * clears {@code security.capability}), then times (every step before moves ctime, not mtime, but
   * setting attributes is last to be sure nothing touches them after).
   */
  private static void apply(FileHandle f, QuarantineRecord r) throws IOException {
    f.setOwner(r.uid(), r.gid());
    f.setMode(r.mode());
    for (String name : f.readAttributes().keySet()) {
      // A copy may have been given a label or ACL the original did not have; the policy's
      // security.selinux label is replaced below when the original had one, kept otherwise.
      if (!r.attributes().containsKey(name) && !name.equals("security.selinux")) {
        f.removeAttribute(name);
      }
    }
    for (Map.Entry<String, byte[]> a : r.attributes().entrySet()) {
      f.writeAttribute(a.getKey(), a.getValue());
    }
    f.setTimes(r.accessNanos(), r.modifiedNanos());
  }
}
