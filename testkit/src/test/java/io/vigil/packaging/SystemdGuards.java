package io.vigil.packaging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Finds the {@code systemctl} and {@code deb-systemd-invoke} calls of a maintainer script that do
 * not run inside an {@code if} whose condition holds the required guards, by following the script's
 * {@code if/elif/else/fi} blocks line by line. Enough for scripts written as dh_installsystemd
 * writes them; not a shell parser ({@code case}, loops and functions are not blocks here, and a
 * guard must be a plain {@code &&} chain: a condition with {@code ||} or a negated guard does not
 * count).
 */
final class SystemdGuards {
  /** systemd is the running init: the only case in which systemctl may be called. */
  static final String SYSTEMD_RUNS = "[ -d /run/systemd/system ]";

  /** dpkg works on the running system's root, not on another one (DPKG_ROOT). */
  static final String SAME_ROOT = "[ -z \"${DPKG_ROOT:-}\" ]";

  /** Both guards, as current dh_installsystemd output has them. */
  static final List<String> ALL = List.of(SAME_ROOT, SYSTEMD_RUNS);

  private SystemdGuards() {}

  /**
   * The logical lines (continuations joined) that call systemctl or deb-systemd-invoke outside a
   * block guarded by every one of {@code guards}; empty when all are guarded.
   */
  static List<String> unguardedCalls(String script, List<String> guards) {
    List<String> unguarded = new ArrayList<>();
    // One entry per open if: whether the branch being read runs only under the guards.
    Deque<Boolean> open = new ArrayDeque<>();
    for (String line : logicalLines(script)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      boolean oneLineIf = l.startsWith("if ") && l.endsWith("fi");
      if (l.startsWith("if ") && !oneLineIf) {
        open.push(guards(condition(l), guards));
      } else if (l.startsWith("elif ")) {
        replaceTop(open, guards(condition(l), guards));
      } else if (l.equals("else")) {
        replaceTop(open, false);
      } else if (l.equals("fi") || l.startsWith("fi ") || l.startsWith("fi;")) {
        if (!open.isEmpty()) {
          open.pop();
        }
      }
      if (callsSystemd(l)) {
        boolean inGuardedBlock = open.contains(Boolean.TRUE);
        // A one-line form: `if GUARDS; then CALL; fi` or `GUARDS && CALL`.
        String before = l.substring(0, firstCall(l));
        boolean guardedHere = guards(before, guards) && !before.contains("||");
        if (!inGuardedBlock && !guardedHere) {
          unguarded.add(l);
        }
      }
    }
    return unguarded;
  }

  private static void replaceTop(Deque<Boolean> open, boolean value) {
    if (!open.isEmpty()) {
      open.pop();
      open.push(value);
    }
  }

  private static String condition(String line) {
    int then = line.indexOf("; then");
    return then < 0 ? line : line.substring(0, then);
  }

  private static boolean guards(String condition, List<String> guards) {
    if (condition.contains("||")) {
      return false;
    }
    for (String g : guards) {
      int at = condition.indexOf(g);
      if (at < 0 || condition.substring(0, at).stripTrailing().endsWith("!")) {
        return false;
      }
    }
    return true;
  }

  private static boolean callsSystemd(String line) {
    return firstCall(line) >= 0;
  }

  private static int firstCall(String line) {
    int a = line.indexOf("systemctl ");
    int b = line.indexOf("deb-systemd-invoke ");
    if (a < 0) {
      return b;
    }
    return b < 0 ? a : Math.min(a, b);
  }

  /** Lines with backslash-newline continuations joined. */
  private static List<String> logicalLines(String script) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : script.split("\n", -1)) {
      if (raw.endsWith("\\")) {
        current.append(raw, 0, raw.length() - 1).append(' ');
      } else {
        current.append(raw);
        lines.add(current.toString());
        current.setLength(0);
      }
    }
    if (!current.isEmpty()) {
      lines.add(current.toString());
    }
    return lines;
  }
}
