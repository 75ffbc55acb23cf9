package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * A non-blocking fanotify or inotify descriptor: wait until readable, read what is queued, close.
 *
 * <p>Not thread-safe: the caller serialises every call, including {@link #close}, so that the
 * descriptor number is never closed (and possibly reused by another open) while a thread is still
 * waiting on or reading from it.
 */
public abstract sealed class NotifyDescriptor implements AutoCloseable
    permits FanotifyDescriptor, InotifyDescriptor {
  private static final short POLLIN = 1;

  private final int fd;
  private final String name;
  private final Memory pollFd = new Memory(8);
  private boolean closed;

  NotifyDescriptor(int fd, String name) {
    this.fd = fd;
    this.name = name;
    pollFd.setInt(0, fd);
    pollFd.setShort(4, POLLIN);
  }

  /**
   * Waits up to {@code timeoutMillis} until something can be read.
   *
   * @return true when readable; false on timeout or when a signal interrupted the wait
   * @throws FileNotifyException when {@code poll} fails otherwise or the descriptor is closed
   */
  public boolean await(int timeoutMillis) throws FileNotifyException {
    requireOpen();
    pollFd.setShort(6, (short) 0); // revents
    int n = FileNotifyLibc.poll(pollFd, 1, Math.max(0, timeoutMillis));
    if (n < 0) {
      int errno = Native.getLastError();
      if (errno == FileNotifyLibc.EINTR) {
        return false;
      }
      throw FileNotifyException.of("poll(" + name + ")", errno);
    }
    return n > 0;
  }

  /**
   * Reads the queued records into {@code buf}, as many whole ones as fit.
   *
   * @return the bytes read, 0 when nothing is queued
   * @throws FileNotifyException when {@code read} fails otherwise (for example {@code EINVAL}:
   *     {@code buf} is too small for the next record)
   */
  public int read(NativeBuffer buf) throws FileNotifyException {
    requireOpen();
    while (true) {
      long n = FileNotifyLibc.read(fd, buf.memory, buf.size());
      if (n >= 0) {
        return (int) n;
      }
      int errno = Native.getLastError();
      if (errno == FileNotifyLibc.EAGAIN) {
        return 0;
      }
      if (errno != FileNotifyLibc.EINTR) {
        throw FileNotifyException.of("read(" + name + ")", errno);
      }
    }
  }

  /** Closes the descriptor; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      FileNotifyLibc.close(fd);
      pollFd.close();
    }
  }

  /** The descriptor number, for callers that must tell their own descriptors apart. */
  public int fd() {
    return fd;
  }

  final void requireOpen() throws FileNotifyException {
    if (closed) {
      throw new FileNotifyException(name + " descriptor is closed", name, Errno.EBADF);
    }
  }

  /** Closes a descriptor the kernel handed over (e.g. a fanotify event's file). */
  public static void closeQuietly(int fd) {
    if (fd >= 0) {
      FileNotifyLibc.close(fd);
    }
  }
}
