package io.vigil.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the lines of a maintainer script that name Vigil's configuration or state directory ({@code
 * /etc/vigil}, {@code /var/lib/vigil}) without {@code $DPKG_ROOT} in front: run by {@code dpkg
 * --root DIR --force-script-chrootless}, such a line would create, chown or delete files of the
 * running host instead of DIR's. Full-line comments are skipped; a path inside a message must be
 * prefixed as well (the message then names the directory actually meant).
 */
final class MaintainerScriptPaths {
  /** A Vigil path: /etc/vigil or /var/lib/vigil, alone or with more after it. */
  private static final Pattern PATH = Pattern.compile("/(?:etc|var/lib)/vigil\\b");

  /** What may precede the path: $DPKG_ROOT, ${DPKG_ROOT}, ${DPKG_ROOT:-}, "$DPKG_ROOT". */
  private static final Pattern ROOTED_END =
      Pattern.compile("(?:\\$DPKG_ROOT|\\$\\{DPKG_ROOT(?::-)?}|\\$DPKG_ROOT\")$");

  private MaintainerScriptPaths() {}

  /** The lines (stripped) that name a Vigil path not prefixed with $DPKG_ROOT; empty if none. */
  static List<String> unrootedPaths(String script) {
    List<String> found = new ArrayList<>();
    for (String line : script.split("\n", -1)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Matcher m = PATH.matcher(line);
      while (m.find()) {
        if (!ROOTED_END.matcher(line.substring(0, m.start())).find()) {
          found.add(l);
          break;
        }
      }
    }
    return found;
  }
}
