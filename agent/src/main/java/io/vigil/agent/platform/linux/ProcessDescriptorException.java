package io.vigil.agent.platform.linux;

import java.io.IOException;

/**
 * A pidfd call failed; {@link #errno()} says why ({@link Errno#ESRCH}: the process is gone and
 * reaped, {@link Errno#ENOSYS}: the kernel has no pidfds, {@link Errno#EPERM}: not permitted).
 */
public final class ProcessDescriptorException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int errno;

  public ProcessDescriptorException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  /** The {@code errno} of the failed call, 0 when the call could not be made at all. */
  public int errno() {
    return errno;
  }

  /** True when the kernel (or a seccomp filter) does not offer pidfds: ENOSYS, or no binding. */
  public boolean unsupported() {
    return errno == Errno.ENOSYS || errno == 0;
  }
}
