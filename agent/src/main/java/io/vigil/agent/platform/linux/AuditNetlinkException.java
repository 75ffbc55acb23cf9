package io.vigil.agent.platform.linux;

import java.io.IOException;

/** An audit netlink call failed with an errno other than a permission refusal. */
public final class AuditNetlinkException extends IOException {
  private static final long serialVersionUID = 1L;

  /** {@code EEXIST}: e.g. another live process holds the audit daemon slot. */
  public static final int EEXIST = 17;

  private final int errno;

  /**
   * @param message what failed, with the errno
   * @param errno the errno the kernel returned
   */
  public AuditNetlinkException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  /** The errno the kernel returned. */
  public int errno() {
    return errno;
  }
}
