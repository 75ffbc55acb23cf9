package io.vigil.detect.engine;

import io.vigil.detect.sigma.match.FieldCache;
import io.vigil.detect.sigma.match.FieldValues;
import io.vigil.detect.sigma.match.RequiredLiterals;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a log source's rules an event view could match, found without evaluating them: a rule
 * whose compiled matcher names required literals ({@link RequiredLiterals}) is a candidate only
 * when one of them occurs in the view's folded field values, which one automaton per field finds in
 * a single pass over each value. Rules with unknown requirements are always candidates. Skipping
 * the others changes no result: they cannot match. Immutable; thread-safe.
 */
final class CandidateRules {
  private final int words;
  private final long[] always;
  private final String[] fields;
  private final LiteralScanner[] scanners;

  private CandidateRules(long[] always, String[] fields, LiteralScanner[] scanners) {
    this.words = always.length;
    this.always = always;
    this.fields = fields;
    this.scanners = scanners;
  }

  /** The index of {@code rules}; candidate bit {@code i} stands for {@code rules[i]}. */
  static CandidateRules of(ActiveRule[] rules) {
    int words = (rules.length + 63) / 64;
    long[] always = new long[words];
    Map<String, Map<String, long[]>> byField = new LinkedHashMap<>();
    for (int i = 0; i < rules.length; i++) {
      RequiredLiterals req = rules[i].compiled().requiredLiterals();
      if (!req.known()) {
        always[i >> 6] |= 1L << i;
        continue;
      }
      for (RequiredLiterals.Literal l : req.anyOf()) {
        long[] mask =
            byField
                .computeIfAbsent(l.field(), f -> new LinkedHashMap<>())
                .computeIfAbsent(l.text(), t -> new long[words]);
        mask[i >> 6] |= 1L << i;
      }
    }
    String[] fields = byField.keySet().toArray(String[]::new);
    LiteralScanner[] scanners = new LiteralScanner[fields.length];
    for (int f = 0; f < fields.length; f++) {
      Map<String, long[]> literals = byField.get(fields[f]);
      scanners[f] =
          new LiteralScanner(
              new ArrayList<>(literals.keySet()), new ArrayList<>(literals.values()), words);
    }
    return new CandidateRules(always, fields, scanners);
  }

  /** The candidate rules for {@code view}, one bit per rule. */
  long[] candidates(FieldCache view) {
    long[] c = always.clone();
    for (int f = 0; f < fields.length; f++) {
      FieldValues values = view.get(fields[f]);
      for (int i = 0; i < values.size(); i++) {
        String folded = values.folded(i);
        if (folded != null) {
          scanners[f].scan(folded, c);
        }
      }
    }
    return c;
  }

  /** Rules that are always candidates (their requirements are unknown). */
  int alwaysCount() {
    int n = 0;
    for (long w : always) {
      n += Long.bitCount(w);
    }
    return n;
  }

  int words() {
    return words;
  }

  /** The fields scanned per view. */
  List<String> fields() {
    return List.of(fields);
  }
}
