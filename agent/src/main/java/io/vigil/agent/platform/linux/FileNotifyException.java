package io.vigil.agent.platform.linux;

import java.io.IOException;

/**
 * A failed file-notification or file-handle call, with the call and its {@code errno} so that the
 * caller can explain the failure to an operator (for example why fanotify is not usable and inotify
 * is used instead).
 */
public final class FileNotifyException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final int errno;

  FileNotifyException(String message, String call, int errno) {
    super(message);
    this.call = call;
    this.errno = errno;
  }

  /** {@code "<call> failed: <ERRNO>"}. */
  static FileNotifyException of(String call, int errno) {
    return new FileNotifyException(call + " failed: " + Errno.name(errno), call, errno);
  }

  /** The failing call as written in the message, e.g. {@code fanotify_init}. */
  public String call() {
    return call;
  }

  /** The {@code errno}; 0 when no call failed (unsupported platform). */
  public int errno() {
    return errno;
  }

  /** The symbolic {@code errno}, e.g. {@code EPERM}. */
  public String errnoName() {
    return Errno.name(errno);
  }
}
