package io.vigil.detect.intel;

import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain list ({@code .txt}, {@code .list}): one indicator a line, the type guessed from the value
 * or given as a prefix ({@code ja3:e7d705a3286e19ea42f587b344ee6865}, which a bare 32-digit hash
 * could not say). {@code #} starts a comment line, and a comment after a value when a space
 * precedes it. Blank lines are ignored; anything else that is not a value is skipped and counted.
 */
final class PlainListLoader {
  private static final Pattern PREFIX =
      Pattern.compile("(?i)(ip|cidr|domain|url|md5|sha1|sha256|ja3s|ja3|ja4)\\s*:\\s*(.*)");

  private PlainListLoader() {}

  static void load(Reader in, ReportBuilder r) throws IOException {
    BoundedLines lines = new BoundedLines(in, 8192);
    String line;
    String name = fileName(r.source);
    while ((line = lines.next()) != null) {
      int n = lines.number();
      if (lines.truncated()) {
        r.skip("line too long", "line " + n);
        continue;
      }
      String s = line.strip();
      int comment = commentStart(s);
      if (comment >= 0) {
        s = s.substring(0, comment).strip();
      }
      if (s.isEmpty()) {
        continue;
      }
      IndicatorValues.Parsed p;
      Matcher m = PREFIX.matcher(s);
      if (m.matches()) {
        IndicatorType t = IndicatorType.valueOf(m.group(1).toUpperCase(Locale.ROOT));
        p = IndicatorValues.as(t, m.group(2));
        if (p.ok() && t == IndicatorType.IP && p.type() == IndicatorType.CIDR) {
          p = IndicatorValues.Parsed.ok(IndicatorType.CIDR, p.value());
        }
      } else if (s.chars().anyMatch(Character::isWhitespace)) {
        r.skip("more than one value on a line", "line " + n);
        continue;
      } else {
        p = IndicatorValues.detect(s);
      }
      if (!p.ok()) {
        r.skip(p.problem(), "line " + n);
        continue;
      }
      r.add(new Indicator(p.type(), p.value(), r.source, name, r.source + ":" + n, "", List.of()));
    }
  }

  /** A '#' at the start, or after white space (a URL may hold '#' in its fragment). */
  private static int commentStart(String s) {
    if (s.startsWith("#")) {
      return 0;
    }
    for (int i = 1; i < s.length(); i++) {
      if (s.charAt(i) == '#' && Character.isWhitespace(s.charAt(i - 1))) {
        return i;
      }
    }
    return -1;
  }

  static String fileName(String source) {
    int slash = source.lastIndexOf('/');
    return slash < 0 ? source : source.substring(slash + 1);
  }
}
