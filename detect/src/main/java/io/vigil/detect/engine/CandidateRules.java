package io.vigil.detect.engine;

import io.vigil.detect.sigma.match.FieldValues;
import io.vigil.detect.sigma.match.RequiredLiterals;
import io.vigil.detect.sigma.match.RequiredLiterals.Clause;
import io.vigil.detect.sigma.match.RequiredLiterals.Literal;
import io.vigil.detect.sigma.match.SigmaFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of a log source's rules an event view could match, found without evaluating them. A rule's
 * compiled matcher names clauses of required literals ({@link RequiredLiterals}); a rule is a
 * candidate when all its clauses hold, and rules with unknown requirements always are. Skipping the
 * others changes no result: they cannot match.
 *
 * <p>One automaton per field finds, in a single pass over each folded value, every literal of that
 * field and so every clause it satisfies. Each rule's clauses are ordered: keyword searches (which
 * scan every string of the event) last, then fewer fields first, then fields that more rules need
 * (so the rules share the fields scanned first), then the least likely to hold. The fields of every
 * rule's first clause are scanned for each view; only the rules whose first clause holds check the
 * rest, scanning further fields the first time one is needed. So a rule that needs {@code type:
 * EXECVE} costs an auditd SYSCALL record no more than reading its short {@code type}. Immutable;
 * thread-safe.
 */
final class CandidateRules {
  private final long[] always;
  private final int clauseWords;
  private final int fieldWords;

  /** Field names to scan; null stands for a keyword search's "any string of the event". */
  private final String[] fields;

  private final LiteralScanner[] scanners;

  /** The fields of the rules' first clauses, scanned for every view. */
  private final int[] eagerFields;

  /** Per clause, the rules whose first clause it is. */
  private final int[][] rulesByFirstClause;

  /** Per clause, the fields that can satisfy it. */
  private final int[][] fieldsOfClause;

  /**
   * Per rule, its clauses in the order to check them; null for a rule that is always a candidate.
   */
  private final int[][] clausesOfRule;

  private CandidateRules(
      long[] always,
      int clauseWords,
      String[] fields,
      LiteralScanner[] scanners,
      int[][] fieldsOfClause,
      int[][] clausesOfRule) {
    this.always = always;
    Set<Integer> eager = new LinkedHashSet<>();
    List<List<Integer>> byFirst = new ArrayList<>();
    for (int c = 0; c < fieldsOfClause.length; c++) {
      byFirst.add(new ArrayList<>());
    }
    for (int r = 0; r < clausesOfRule.length; r++) {
      if (clausesOfRule[r] != null) {
        int first = clausesOfRule[r][0];
        byFirst.get(first).add(r);
        for (int f : fieldsOfClause[first]) {
          eager.add(f);
        }
      }
    }
    this.eagerFields = eager.stream().mapToInt(Integer::intValue).toArray();
    this.rulesByFirstClause =
        byFirst.stream()
            .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
            .toArray(int[][]::new);
    this.clauseWords = clauseWords;
    this.fieldWords = (fields.length + 63) / 64;
    this.fields = fields;
    this.scanners = scanners;
    this.fieldsOfClause = fieldsOfClause;
    this.clausesOfRule = clausesOfRule;
  }

  /** The index of {@code rules}; candidate bit {@code i} stands for {@code rules[i]}. */
  static CandidateRules of(ActiveRule[] rules) {
    long[] always = new long[(rules.length + 63) / 64];
    Map<String, Integer> popularity = new HashMap<>();
    for (ActiveRule rule : rules) {
      rule.compiled().requiredLiterals().allOf().stream()
          .map(CandidateRules::fieldsOf)
          .filter(f -> f.size() == 1)
          .map(f -> f.iterator().next())
          .distinct()
          .forEach(f -> popularity.merge(f, 1, Integer::sum));
    }
    Comparator<Clause> checkOrder =
        Comparator.<Clause>comparingInt(c -> fieldsOf(c).contains(null) ? 1 : 0)
            .thenComparingInt(c -> fieldsOf(c).size())
            .thenComparingInt(
                c ->
                    -fieldsOf(c).stream()
                        .mapToInt(f -> popularity.getOrDefault(f, 0))
                        .min()
                        .orElse(0))
            .thenComparingDouble(Clause::chance);
    Map<Clause, Integer> clauseIds = new LinkedHashMap<>();
    int[][] clausesOfRule = new int[rules.length][];
    for (int r = 0; r < rules.length; r++) {
      RequiredLiterals req = rules[r].compiled().requiredLiterals();
      if (!req.known()) {
        always[r >> 6] |= 1L << r;
        continue;
      }
      clausesOfRule[r] =
          req.allOf().stream()
              .sorted(checkOrder)
              .mapToInt(c -> clauseIds.computeIfAbsent(c, k -> clauseIds.size()))
              .toArray();
    }
    int clauseWords = Math.max(1, (clauseIds.size() + 63) / 64);
    Map<String, Integer> fieldIds = new LinkedHashMap<>();
    Map<String, Map<String, long[]>> byField = new LinkedHashMap<>();
    int[][] fieldsOfClause = new int[clauseIds.size()][];
    clauseIds.forEach(
        (clause, id) -> {
          Set<Integer> clauseFields = new LinkedHashSet<>();
          for (Literal l : clause.anyOf()) {
            clauseFields.add(fieldIds.computeIfAbsent(l.field(), f -> fieldIds.size()));
            long[] mask =
                byField
                    .computeIfAbsent(l.field(), f -> new LinkedHashMap<>())
                    .computeIfAbsent(l.text(), t -> new long[clauseWords]);
            mask[id >> 6] |= 1L << id;
          }
          fieldsOfClause[id] = clauseFields.stream().mapToInt(Integer::intValue).toArray();
        });
    String[] fields = fieldIds.keySet().toArray(String[]::new);
    LiteralScanner[] scanners = new LiteralScanner[fields.length];
    for (int f = 0; f < fields.length; f++) {
      Map<String, long[]> literals = byField.get(fields[f]);
      scanners[f] =
          new LiteralScanner(
              new ArrayList<>(literals.keySet()), new ArrayList<>(literals.values()), clauseWords);
    }
    return new CandidateRules(always, clauseWords, fields, scanners, fieldsOfClause, clausesOfRule);
  }

  private static Set<String> fieldsOf(Clause c) {
    Set<String> out = new LinkedHashSet<>();
    c.anyOf().forEach(l -> out.add(l.field()));
    return out;
  }

  /** Working space for {@link #candidates}, reusable from one view to the next on a thread. */
  static final class Scratch {
    long[] holds = new long[0];
    long[] scanned = new long[0];
    long[] candidates = new long[0];
  }

  /**
   * The candidate rules for {@code view}, one bit per rule, in {@code scratch.candidates} (longer
   * than needed when the scratch serves other indexes too).
   */
  long[] candidates(SigmaFields view, Scratch scratch) {
    long[] holds = clear(scratch.holds, clauseWords);
    scratch.holds = holds;
    long[] scanned = clear(scratch.scanned, fieldWords);
    scratch.scanned = scanned;
    long[] candidates = scratch.candidates.length >= always.length ? scratch.candidates : null;
    if (candidates == null) {
      candidates = new long[always.length];
      scratch.candidates = candidates;
    }
    System.arraycopy(always, 0, candidates, 0, always.length);
    Set<String> names = view.fieldNames();
    for (int f : eagerFields) {
      scanned[f >> 6] |= 1L << f;
      scan(f, view, names, holds);
    }
    for (int w = 0; w < clauseWords; w++) {
      // First clauses are final here (all their fields were scanned above); the scans restHold
      // adds can only satisfy later clauses.
      for (long bits = holds[w]; bits != 0; bits &= bits - 1) {
        for (int r : rulesByFirstClause[(w << 6) + Long.numberOfTrailingZeros(bits)]) {
          if (restHold(clausesOfRule[r], view, names, holds, scanned)) {
            candidates[r >> 6] |= 1L << r;
          }
        }
      }
    }
    return candidates;
  }

  private static long[] clear(long[] a, int words) {
    if (a.length < words) {
      return new long[words];
    }
    Arrays.fill(a, 0, words, 0);
    return a;
  }

  /** Whether the clauses after the first (which holds) hold too, scanning fields as needed. */
  private boolean restHold(
      int[] clauses, SigmaFields view, Set<String> names, long[] holds, long[] scanned) {
    for (int i = 1; i < clauses.length; i++) {
      int c = clauses[i];
      if ((holds[c >> 6] & (1L << c)) != 0) {
        continue;
      }
      for (int f : fieldsOfClause[c]) {
        if ((scanned[f >> 6] & (1L << f)) == 0) {
          scanned[f >> 6] |= 1L << f;
          scan(f, view, names, holds);
        }
      }
      if ((holds[c >> 6] & (1L << c)) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Scans the values of field {@code f} straight from the view: most views have no candidate rule,
   * so nothing is cached for them. A field outside the view's {@code names} (when it says) has
   * none.
   */
  private void scan(int f, SigmaFields view, Set<String> names, long[] holds) {
    LiteralScanner scanner = scanners[f];
    if (fields[f] == null) {
      for (String s : view.allStrings()) {
        if (s != null) {
          scanner.scan(s, holds);
        }
      }
      return;
    }
    if (names != null && !names.contains(fields[f])) {
      return;
    }
    List<Object> values = view.values(fields[f]);
    for (int i = 0, n = values.size(); i < n; i++) {
      Object v = values.get(i);
      if (v != null) {
        scanner.scan(v instanceof String s ? s : FieldValues.stringOf(v), holds);
      }
    }
  }

  /** The candidate rules for {@code view} in a new array: for tests and tools. */
  long[] candidates(SigmaFields view) {
    return candidates(view, new Scratch()).clone();
  }

  /** Rules that are always candidates (their requirements are unknown). */
  int alwaysCount() {
    int n = 0;
    for (long w : always) {
      n += Long.bitCount(w);
    }
    return n;
  }

  /** The fields the index may scan (null: all strings, for keyword searches). */
  List<String> fields() {
    return Arrays.asList(fields);
  }
}
