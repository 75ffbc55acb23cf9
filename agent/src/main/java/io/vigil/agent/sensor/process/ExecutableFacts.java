package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.proto.v1.ProcessExec;
import java.nio.file.Path;

/**
 * Hashes, device and inode of the program an exec started. Prefers {@code /proc/PID/exe}, which
 * reaches the very file the process runs even if its path was replaced since, as long as that link
 * still names the exec's image (the process may have exec'd again or exited); otherwise the path.
 * Thread-safe; blocks while hashing (bounded by the hash size limit, cached).
 */
final class ExecutableFacts {
  private final Path procRoot;
  private final ExecutableHashes hashes;

  ExecutableFacts(Path procRoot, ExecutableHashes hashes) {
    this.procRoot = procRoot;
    this.hashes = hashes;
  }

  /** Sets md5/sha1/sha256 and exe_device/exe_inode on {@code exec} where they can be read. */
  void fill(ProcessExec.Builder exec, int pid, String image, String liveExe) {
    Path file = null;
    if (!liveExe.isEmpty() && liveExe.equals(image)) {
      file = procRoot.resolve(Integer.toString(pid)).resolve("exe");
    } else if (image.startsWith("/")) {
      file = Path.of(image);
    }
    if (file == null) {
      return;
    }
    // One stat gives the identity and the hash cache key; gone or unreadable leaves the fields 0,
    // which means unknown.
    hashes
        .examine(file)
        .ifPresent(
            x -> {
              exec.setExeDevice(x.device()).setExeInode(x.inode());
              x.hashes()
                  .ifPresent(h -> exec.setMd5(h.md5()).setSha1(h.sha1()).setSha256(h.sha256()));
            });
  }
}
