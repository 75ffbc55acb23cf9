package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The protocol name of a socket, read through a {@code /proc/PID/fd/N} link with {@code
 * getxattr("system.sockprotoname")}: {@code "TCP"}, {@code "TCPv6"}, {@code "UDP"}, {@code
 * "UDPv6"}, {@code "UNIX"}, ... One system call; this is how a connect seen by audit (which names
 * only the descriptor) learns whether it was TCP or UDP.
 *
 * <p>Thread-safe and stateless. Needs the right to follow the process's fd links (the same process,
 * or root / {@code CAP_SYS_PTRACE}).
 */
public final class SocketProtocolName {
  private static final int MAX_NAME = 32;

  private static final LibC LIBC = Platform.isLinux() ? Native.load("c", LibC.class) : null;

  private SocketProtocolName() {}

  /**
   * The protocol name of the socket behind {@code path} (e.g. {@code /proc/123/fd/4}); empty when
   * the link is gone, is not a socket, or cannot be read.
   */
  public static Optional<String> of(String path) {
    if (LIBC == null) {
      return Optional.empty();
    }
    byte[] value = new byte[MAX_NAME];
    long n =
        LIBC.getxattr(path, "system.sockprotoname", value, new NativeLong(MAX_NAME)).longValue();
    if (n <= 0) {
      return Optional.empty();
    }
    int len = (int) n;
    while (len > 0 && value[len - 1] == 0) {
      len--; // the kernel includes the terminating NUL
    }
    return Optional.of(new String(value, 0, len, StandardCharsets.US_ASCII));
  }

  private interface LibC extends Library {
    NativeLong getxattr(String path, String name, byte[] value, NativeLong size);
  }
}
