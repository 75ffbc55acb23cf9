package io.vigil.agent.sensor.process.table;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * User and group names by id, from {@code /etc/passwd} and {@code /etc/group}. A file is read again
 * when its modification time or size changed, checked at most once per second, so new accounts
 * resolve without a restart. An id that does not resolve gives {@code ""}. Names come from local
 * files only (no NSS, LDAP or sssd lookups, which could block).
 *
 * <p>Thread-safe. A lookup may block on reading a changed file (bounded by {@link
 * IdNameFile#MAX_FILE_BYTES}).
 */
public final class UserNames {
  private final IdNameFile users;
  private final IdNameFile groups;

  /**
   * @param passwd a file in {@code passwd(5)} format
   * @param group a file in {@code group(5)} format
   * @param monotonicNanos clock for the once-per-second check
   */
  public UserNames(Path passwd, Path group, LongSupplier monotonicNanos) {
    this.users = new IdNameFile(passwd, monotonicNanos);
    this.groups = new IdNameFile(group, monotonicNanos);
  }

  /** Reads the system's {@code /etc/passwd} and {@code /etc/group}. */
  public static UserNames system() {
    return new UserNames(Path.of("/etc/passwd"), Path.of("/etc/group"), System::nanoTime);
  }

  /** The user name of {@code uid} (unsigned), {@code ""} when unknown. */
  public String user(long uid) {
    return users.name(uid);
  }

  /** The group name of {@code gid} (unsigned), {@code ""} when unknown. */
  public String group(long gid) {
    return groups.name(gid);
  }
}
