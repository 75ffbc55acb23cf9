package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A pidfd ({@code pidfd_open(2)}, Linux 5.3): a handle on one process, not on a pid. Signals sent
 * through it ({@code pidfd_send_signal(2)}) reach that process or fail with {@link Errno#ESRCH}
 * once it is gone; they can never reach a later process that was given the same pid, which a {@code
 * kill(pid, sig)} after a check could. The descriptor turns readable when the process exits
 * (becomes a zombie), which is how {@link #awaitExit} waits without polling {@code /proc}.
 *
 * <p>Bound on 64-bit x86 and ARM Linux, where both calls have the same numbers (434 and 424). Not
 * thread-safe: one owner opens, signals and closes it. Must be closed (it holds a descriptor).
 */
public final class ProcessDescriptor implements AutoCloseable {
  /** Signal numbers of the generic Linux ABI (x86-64 and AArch64). */
  public static final int SIGKILL = 9;

  public static final int SIGCONT = 18;
  public static final int SIGSTOP = 19;

  private static final long SYS_PIDFD_SEND_SIGNAL = 424;
  private static final long SYS_PIDFD_OPEN = 434;
  private static final short POLLIN = 0x1;
  private static final int POLLFD_BYTES = 8; // int fd; short events; short revents

  private static final LibC LIBC = load();

  private final int pid;
  private int fd;

  private ProcessDescriptor(int pid, int fd) {
    this.pid = pid;
    this.fd = fd;
  }

  /**
   * Opens a pidfd on the process that holds {@code pid} now.
   *
   * @throws ProcessDescriptorException with {@link Errno#ESRCH} when no such process exists, {@link
   *     Errno#ENOSYS} (or errno 0 off Linux) when pidfds are not available, {@link Errno#EINVAL}
   *     for a pid that names a thread rather than a process
   */
  public static ProcessDescriptor open(int pid) throws ProcessDescriptorException {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive: " + pid);
    }
    if (LIBC == null) {
      throw new ProcessDescriptorException(
          "pidfds exist on 64-bit x86 and ARM Linux only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"),
          0);
    }
    long fd = LIBC.syscall(SYS_PIDFD_OPEN, (long) pid, 0L);
    if (fd < 0) {
      int errno = Native.getLastError();
      throw new ProcessDescriptorException(
          "pidfd_open(" + pid + ") failed: " + Errno.name(errno), errno);
    }
    return new ProcessDescriptor(pid, (int) fd);
  }

  /** The pid the descriptor was opened for. */
  public int pid() {
    return pid;
  }

  /**
   * Sends {@code signal} to the process (all its threads, as {@code kill(2)} does).
   *
   * @throws ProcessDescriptorException with {@link Errno#ESRCH} when the process has exited, {@link
   *     Errno#EPERM} when the agent may not signal it
   */
  public void signal(int signal) throws ProcessDescriptorException {
    requireOpen();
    if (LIBC.syscall(SYS_PIDFD_SEND_SIGNAL, (long) fd, (long) signal, null, 0L) != 0) {
      int errno = Native.getLastError();
      throw new ProcessDescriptorException(
          "pidfd_send_signal(pid " + pid + ", " + signal + ") failed: " + Errno.name(errno), errno);
    }
  }

  /** True once the process has exited (it may still wait as a zombie for its parent). */
  public boolean exited() {
    return awaitExit(0);
  }

  /**
   * Waits up to {@code timeoutMillis} for the process to exit; blocks the calling thread.
   *
   * @return true when it has exited
   */
  public boolean awaitExit(int timeoutMillis) {
    requireOpen();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      ByteBuffer pollfd = ByteBuffer.allocate(POLLFD_BYTES).order(ByteOrder.nativeOrder());
      pollfd.putInt(0, fd).putShort(4, POLLIN);
      byte[] b = pollfd.array();
      int remaining = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
      int n = LIBC.poll(b, 1, remaining);
      if (n > 0) {
        return true; // POLLIN, or POLLHUP/POLLERR: either way the process is no longer running
      }
      if (n == 0) {
        return false;
      }
      if (Native.getLastError() != Errno.EINTR || System.nanoTime() >= deadline) {
        return false;
      }
    }
  }

  private void requireOpen() {
    if (fd < 0) {
      throw new IllegalStateException("pidfd of pid " + pid + " is closed");
    }
  }

  @Override
  public void close() {
    if (fd >= 0) {
      LIBC.close(fd);
      fd = -1;
    }
  }

  private static LibC load() {
    if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  private interface LibC extends Library {
    // syscall(2) is variadic; on x86-64 and AArch64 integer and pointer arguments travel in the
    // same registers either way. A byte[] argument is copied back after the call.
    long syscall(long number, Object... args);

    int poll(byte[] fds, long nfds, int timeoutMillis);

    int close(int fd);
  }
}
