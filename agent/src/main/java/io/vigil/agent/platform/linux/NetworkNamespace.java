package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Moves the calling thread into a named network namespace ({@code ip netns add NAME} makes {@code
 * /run/netns/NAME}) with {@code setns(2)}. Only the calling thread moves: sockets it opens
 * afterwards (a libpcap handle, a netlink socket for its addresses) belong to that namespace, while
 * the rest of the agent stays where it was. Callers dedicate a thread to it and never hand that
 * thread back to a pool. Needs CAP_SYS_ADMIN. Thread-safe (stateless).
 */
public final class NetworkNamespace {
  /** Where iproute2 keeps named namespaces. */
  public static final Path RUN_NETNS = Path.of("/run/netns");

  /** A name iproute2 would make a file of: no '/', not "." or "..", at most 64 characters. */
  private static final Pattern NAME = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,64}");

  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final int CLONE_NEWNET = 0x40000000;

  private static final LibC LIBC = Platform.isLinux() ? Native.load("c", LibC.class) : null;

  private NetworkNamespace() {}

  /** True when {@code name} is a valid namespace name (the file under {@link #RUN_NETNS}). */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Moves the calling thread into the namespace {@code name}.
   *
   * @throws IOException when the name is invalid, the namespace does not exist or the kernel
   *     refuses (no CAP_SYS_ADMIN); the message says which
   */
  public static void enter(String name) throws IOException {
    if (!validName(name)) {
      throw new IOException("invalid network namespace name \"" + name + "\"");
    }
    if (LIBC == null) {
      throw new IOException("network namespaces exist on Linux only");
    }
    String path = RUN_NETNS.resolve(name).toString();
    int fd = LIBC.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int errno = Native.getLastError();
      throw new IOException(
          "network namespace "
              + name
              + (errno == 2
                  ? " does not exist (no " + path + ")"
                  : ": open failed, errno " + errno));
    }
    try {
      if (LIBC.setns(fd, CLONE_NEWNET) != 0) {
        int errno = Native.getLastError();
        throw new IOException(
            "cannot enter network namespace "
                + name
                + (errno == 1 ? ": not permitted (needs CAP_SYS_ADMIN)" : ": errno " + errno));
      }
    } finally {
      LIBC.close(fd);
    }
  }

  private interface LibC extends Library {
    int open(String path, int flags);

    int setns(int fd, int nstype);

    int close(int fd);
  }
}
