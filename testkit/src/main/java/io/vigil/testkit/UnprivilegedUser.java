package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A user without privileges to run the agent as, through util-linux {@code setpriv}: real and
 * effective uid/gid switched, supplementary groups cleared, so no capability survives. Only root
 * can use it. Immutable.
 *
 * @param name for logs
 * @param uid user and group id (65534 is {@code nobody}/{@code nogroup})
 */
public record UnprivilegedUser(String name, int uid) {
  public static final UnprivilegedUser NOBODY = new UnprivilegedUser("nobody", 65534);

  /** Where setpriv is expected; the tests skip (or fail under CI) when it is missing. */
  public static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  /** The command prefix that runs the rest of the command line as this user. */
  public List<String> setprivPrefix() {
    return List.of(
        SETPRIV.toString(),
        "--reuid=" + uid,
        "--regid=" + uid,
        "--clear-groups",
        "--inh-caps=-all",
        "--");
  }

  /** Copies {@code from} to {@code to} with mode 0644, so that this user can read it. */
  public Path readableCopy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
    return to;
  }

  /** Creates {@code dir} if needed and makes this user its owner (the agent writes its state). */
  public void own(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setAttribute(dir, "unix:uid", uid);
    Files.setAttribute(dir, "unix:gid", uid);
  }
}
