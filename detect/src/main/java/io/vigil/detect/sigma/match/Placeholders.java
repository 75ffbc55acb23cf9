package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code expand}: replaces each {@code %name%} in a rule value with every value configured for
 * {@code name} (several placeholders give every combination); {@code \%} is a plain percent sign.
 * The configured values are Sigma strings themselves, so they may carry wildcards. Stateless.
 */
final class Placeholders {
  /** Bound on the combinations one value may expand to, so a rule cannot blow up memory. */
  static final int MAX_EXPANSIONS = 4096;

  private Placeholders() {}

  static List<String> expand(String where, String raw, Map<String, List<String>> values)
      throws SigmaRuleException {
    List<StringBuilder> out = new ArrayList<>();
    out.add(new StringBuilder());
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c == '\\' && i + 1 < raw.length()) {
        char next = raw.charAt(i + 1);
        // '\%' is the plain percent sign; any other escape is passed on for wildcard parsing.
        for (StringBuilder sb : out) {
          if (next == '%') {
            sb.append('%');
          } else {
            sb.append(c).append(next);
          }
        }
        i += 2;
      } else if (c == '%') {
        int close = raw.indexOf('%', i + 1);
        if (close < 0) {
          throw new SigmaRuleException(where, "unterminated placeholder in " + raw);
        }
        String name = raw.substring(i + 1, close);
        List<String> replacements = values.get(name);
        if (replacements == null || replacements.isEmpty()) {
          throw new SigmaRuleException(where, "unknown placeholder %" + name + "%");
        }
        if ((long) out.size() * replacements.size() > MAX_EXPANSIONS) {
          throw new SigmaRuleException(where, "placeholders expand to too many values: " + raw);
        }
        List<StringBuilder> next = new ArrayList<>(out.size() * replacements.size());
        for (StringBuilder sb : out) {
          for (String r : replacements) {
            next.add(new StringBuilder(sb).append(r));
          }
        }
        out = next;
        i = close + 1;
      } else {
        for (StringBuilder sb : out) {
          sb.append(c);
        }
        i++;
      }
    }
    List<String> result = new ArrayList<>(out.size());
    for (StringBuilder sb : out) {
      result.add(sb.toString());
    }
    return result;
  }
}
