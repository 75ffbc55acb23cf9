package io.vigil.agent.response.file;

import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.platform.linux.FileMetadata;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code Command.restore}: puts a quarantined file back at its original path, byte-identical, with
 * its owner, mode, extended attributes and times. The file is prepared completely first (in the
 * vault on the same filesystem, as a copy beside the target otherwise) and appears at its path in
 * one rename that never replaces anything. Runs on the dispatcher's thread; blocks on the
 * filesystem.
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
    Path content = entry.resolve(Vault.CONTENT);
    Path target = record.path();
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      throw new ActionRefusedException(
          "cannot restore "
              + id
              + ": the directory "
              + PathGuard.shown(parent.toString())
              + " no longer exists");
    }
    Path realParent = parent.toRealPath();
    if (!realParent.equals(record.realParent())) {
      // A directory on the way was replaced by a link since: restoring would put a file with
      // its owner and mode somewhere else (a link to /etc/cron.d, say).
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
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new ActionRefusedException(
          "cannot restore "
              + id
              + ": something exists at "
              + PathGuard.shown(target.toString())
              + " now; move it away first");
    }
    boolean sameFilesystem =
        !forceCopy
            && Files.getAttribute(content, "unix:dev", LinkOption.NOFOLLOW_LINKS)
                .equals(Files.getAttribute(parent, "unix:dev"));
    Path staged = sameFilesystem ? content : realParent.resolve(".vigil-restore-" + id);
    try {
      FileDigests.Result digests =
          sameFilesystem ? FileCopies.hash(content) : FileCopies.copy(content, staged);
      if (!digests.sha256().equals(record.sha256()) || digests.size() != record.size()) {
        throw new IOException(
            "the vault's copy no longer matches: SHA-256 "
                + digests.sha256()
                + ", expected "
                + record.sha256());
      }
      apply(staged, record);
      FileMetadata.RenameOutcome renamed =
          FileMetadata.renameNoReplace(staged, realParent.resolve(target.getFileName()));
      if (renamed != FileMetadata.RenameOutcome.RENAMED) {
        throw new ActionRefusedException(
            "cannot restore "
                + id
                + ": "
                + (renamed == FileMetadata.RenameOutcome.TARGET_EXISTS
                    ? "something appeared at " + PathGuard.shown(target.toString())
                    : "the vault is on another filesystem than "
                        + PathGuard.shown(target.toString())));
      }
    } catch (Exception e) {
      relock(sameFilesystem, staged);
      throw e;
    }
    Vault.syncDirectory(parent);
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
   * Owner, then mode (a chown clears setuid and setgid), then extended attributes (a chown also
   * clears {@code security.capability}), then times (every step before moves ctime, not mtime, but
   * setting attributes is last to be sure nothing touches them after).
   */
  private static void apply(Path p, QuarantineRecord r) throws IOException {
    Files.setAttribute(p, "unix:uid", r.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", r.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:mode", r.mode(), LinkOption.NOFOLLOW_LINKS);
    for (String name : FileMetadata.readAttributes(p).keySet()) {
      // A copy may have been given a label or ACL the original did not have; the policy's
      // security.selinux label is replaced below when the original had one, kept otherwise.
      if (!r.attributes().containsKey(name) && !name.equals("security.selinux")) {
        FileMetadata.removeAttribute(p, name);
      }
    }
    for (Map.Entry<String, byte[]> a : r.attributes().entrySet()) {
      FileMetadata.writeAttribute(p, a.getKey(), a.getValue());
    }
    FileMetadata.setTimes(p, r.accessNanos(), r.modifiedNanos());
  }

  /** After a failure: the vault's file is locked again, a staged copy removed. */
  private static void relock(boolean sameFilesystem, Path staged) {
    try {
      if (sameFilesystem) {
        if (Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
          Files.setAttribute(staged, "unix:mode", 0, LinkOption.NOFOLLOW_LINKS);
        }
      } else {
        Files.deleteIfExists(staged);
      }
    } catch (IOException e) {
      // the original failure is what the operator needs; this one is visible in the vault
    }
  }
}
