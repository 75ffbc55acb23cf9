package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordTypes;
import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.agent.sensor.process.procfs.FileIdentity;
import io.vigil.proto.v1.ProcessExec;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Hashes, device and inode of the program an exec started. Prefers {@code /proc/PID/exe}, which
 * reaches the very file the process runs even if its path was replaced since, as long as that link
 * still names the exec's image (the process may have exec'd again or exited). Otherwise the path is
 * used only when it still names the executed file: a regular file with the device and inode audit
 * recorded for it; whatever else sits there now (a replaced binary, a FIFO) is not examined, since
 * anyone able to swap the file could otherwise make a malicious program report a harmless hash.
 * Thread-safe; blocks while hashing (bounded by the hash size limit, cached).
 */
final class ExecutableFacts {
  private final Path procRoot;
  private final ExecutableHashes hashes;

  ExecutableFacts(Path procRoot, ExecutableHashes hashes) {
    this.procRoot = procRoot;
    this.hashes = hashes;
  }

  /**
   * Sets md5/sha1/sha256 and exe_device/exe_inode on {@code exec} where they can be read.
   *
   * @param image the exec's program path
   * @param liveExe the {@code /proc/PID/exe} link of the same process image, empty when unknown
   * @param executed what the kernel recorded as the executed file; without it the path is not used
   */
  void fill(
      ProcessExec.Builder exec,
      int pid,
      String image,
      String liveExe,
      Optional<FileIdentity> executed) {
    Optional<ExecutableHashes.Examined> examined = Optional.empty();
    if (!liveExe.isEmpty() && liveExe.equals(image)) {
      examined = hashes.examine(procRoot.resolve(Integer.toString(pid)).resolve("exe"));
    }
    // A short-lived process (sh -c echo) can exit between the read of its exe link and the hashing
    // of /proc/PID/exe: the path then still serves if it names the executed file.
    if ((examined.isEmpty() || examined.get().hashes().isEmpty())
        && image.startsWith("/")
        && executed.isPresent()) {
      Optional<ExecutableHashes.Examined> byPath = hashes.examine(Path.of(image), executed.get());
      if (byPath.isPresent() && (examined.isEmpty() || byPath.get().hashes().isPresent())) {
        examined = byPath;
      }
    }
    // Gone, unreadable or not the executed file leaves the fields 0, which means unknown.
    examined.ifPresent(
        x -> {
          exec.setExeDevice(x.device()).setExeInode(x.inode());
          x.hashes().ifPresent(h -> exec.setMd5(h.md5()).setSha1(h.sha1()).setSha256(h.sha256()));
        });
  }

  /**
   * The executed file of an exec event: device ({@code dev=MM:mm}, hex) and {@code inode} of its
   * PATH record {@code item=0}; empty when missing or malformed.
   */
  static Optional<FileIdentity> executedFile(AuditEvent event) {
    for (AuditRecord path : event.all(AuditRecordTypes.PATH)) {
      if (!"0".equals(path.text("item"))) {
        continue;
      }
      String dev = path.text("dev");
      OptionalLong inode = path.number("inode", false);
      int colon = dev == null ? -1 : dev.indexOf(':');
      if (colon < 1 || colon > 8 || dev.length() - colon > 9 || inode.isEmpty()) {
        return Optional.empty();
      }
      try {
        long major = Long.parseLong(dev.substring(0, colon), 16);
        long minor = Long.parseLong(dev.substring(colon + 1), 16);
        return Optional.of(new FileIdentity(major, minor, inode.getAsLong()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
