package io.vigil.collector.cli;

import java.util.Map;

/**
 * Who is making a triage change: the operating-system user running {@code vigilctl}. Until the
 * operator API authenticates analysts (issue #9, which replaces this with the authenticated
 * identity), the OS account is the only identity there is, so there is deliberately no option to
 * name someone else.
 *
 * <p>Through {@code sudo}, the person is {@code SUDO_USER}: {@code alice (via sudo)} when running
 * as root, {@code alice (via sudo as vigil)} when running as another account. {@code SUDO_USER} is
 * only an environment variable, so the account actually running is always part of the name unless
 * it is root (who can write the database directly anyway).
 */
final class Actor {
  private Actor() {}

  /** The actor for this process. */
  static String current() {
    return of(System.getenv(), System.getProperty("user.name", ""));
  }

  /**
   * @param env the environment ({@code SUDO_USER} is read)
   * @param userName the account running the process ({@code user.name})
   * @throws IllegalStateException when no user name can be determined
   */
  static String of(Map<String, String> env, String userName) {
    String user = clean(userName);
    if (user.isEmpty()) {
      throw new IllegalStateException("cannot tell which user is running vigilctl (no user.name)");
    }
    String sudoUser = clean(env.getOrDefault("SUDO_USER", ""));
    if (sudoUser.isEmpty() || sudoUser.equals(user)) {
      return user;
    }
    return user.equals("root")
        ? sudoUser + " (via sudo)"
        : sudoUser + " (via sudo as " + user + ")";
  }

  /** Account names have no control characters; anything odd is dropped, the length bounded. */
  private static String clean(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .filter(cp -> cp > 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0))
        .filter(cp -> Character.getType(cp) != Character.FORMAT)
        .limit(64)
        .forEach(b::appendCodePoint);
    return b.toString();
  }
}
