package io.vigil.agent.sensor.process.procfs;

/**
 * Which file an exec ran, as the kernel recorded it: the device's major and minor number and the
 * inode. Audit PATH records carry these ({@code dev=MM:mm} in hex, {@code inode=} in decimal); they
 * let a later {@code stat} of the path prove it still names the executed file. Immutable.
 *
 * @param major device major number
 * @param minor device minor number
 * @param inode inode number
 */
public record FileIdentity(long major, long minor, long inode) {

  /** The identity of a file whose {@code stat(2)} gave {@code stDev} and {@code stIno}. */
  public static FileIdentity ofStat(long stDev, long stIno) {
    return new FileIdentity(major(stDev), minor(stDev), stIno);
  }

  /** Major number of a Linux {@code dev_t} (glibc's {@code gnu_dev_major}: 32 bits). */
  public static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xffff_f000L);
  }

  /**
   * Minor number of a Linux {@code dev_t} (glibc's {@code gnu_dev_minor}: 32 bits; without the
   * upper bound the major's high bits would leak into the minor).
   */
  public static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & 0xffff_ff00L);
  }

  /** This device as a Linux {@code dev_t}, the way {@code stat(2)} reports {@code st_dev}. */
  public long device() {
    return (minor & 0xff)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffff_ff00L) << 12)
        | ((major & 0xffff_f000L) << 32);
  }

  /** True when a file with this {@code st_dev} and {@code st_ino} is the same file. */
  public boolean matches(long stDev, long stIno) {
    return stIno == inode && major(stDev) == major && minor(stDev) == minor;
  }
}
