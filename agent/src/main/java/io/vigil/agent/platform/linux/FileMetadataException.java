package io.vigil.agent.platform.linux;

import java.io.IOException;

/** A failed extended-attribute, timestamp or rename call, with its {@code errno}. */
public final class FileMetadataException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  FileMetadataException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  static FileMetadataException of(String call, String path, int errno) {
    return new FileMetadataException(call + "(" + path + ") failed: " + Errno.name(errno), errno);
  }

  /** The {@code errno}; 0 when no call failed (unsupported platform). */
  public int errno() {
    return errno;
  }
}
