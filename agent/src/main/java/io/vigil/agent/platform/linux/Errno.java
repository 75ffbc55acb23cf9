package io.vigil.agent.platform.linux;

/**
 * Symbolic names of the Linux {@code errno} values that file-notification, netlink and other calls
 * return, for messages an operator reads. Values are those of the generic Linux ABI (x86-64 and
 * AArch64).
 */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ENFILE = 23;
  public static final int EMFILE = 24;
  public static final int ENOSPC = 28;
  public static final int ENAMETOOLONG = 36;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ELOOP = 40;
  public static final int ENODATA = 61;
  public static final int EPROTONOSUPPORT = 93;
  public static final int EOPNOTSUPP = 95;
  public static final int ECONNREFUSED = 111;
  public static final int ESTALE = 116;

  private static final String[] NAMES = new String[117];

  static {
    NAMES[EPERM] = "EPERM";
    NAMES[ENOENT] = "ENOENT";
    NAMES[ESRCH] = "ESRCH";
    NAMES[EINTR] = "EINTR";
    NAMES[EBADF] = "EBADF";
    NAMES[EAGAIN] = "EAGAIN";
    NAMES[ENOMEM] = "ENOMEM";
    NAMES[EACCES] = "EACCES";
    NAMES[EEXIST] = "EEXIST";
    NAMES[EXDEV] = "EXDEV";
    NAMES[ENODEV] = "ENODEV";
    NAMES[ENOTDIR] = "ENOTDIR";
    NAMES[EINVAL] = "EINVAL";
    NAMES[ENFILE] = "ENFILE";
    NAMES[EMFILE] = "EMFILE";
    NAMES[ENOSPC] = "ENOSPC";
    NAMES[ENAMETOOLONG] = "ENAMETOOLONG";
    NAMES[ERANGE] = "ERANGE";
    NAMES[ENOSYS] = "ENOSYS";
    NAMES[ELOOP] = "ELOOP";
    NAMES[ENODATA] = "ENODATA";
    NAMES[EPROTONOSUPPORT] = "EPROTONOSUPPORT";
    NAMES[EOPNOTSUPP] = "EOPNOTSUPP";
    NAMES[ECONNREFUSED] = "ECONNREFUSED";
    NAMES[ESTALE] = "ESTALE";
  }

  private Errno() {}

  /** {@code "EPERM"}, or {@code "errno <n>"} for a value without a name here. */
  public static String name(int errno) {
    if (errno >= 0 && errno < NAMES.length && NAMES[errno] != null) {
      return NAMES[errno];
    }
    return "errno " + errno;
  }
}
