package io.vigil.agent.packet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test helper: how far the values Vigil extracted for one field agree with a reference's, as
 * multisets: matched / (expected ∪ extracted), where the union counts {@code expected + extracted -
 * matched} entries. An expected value may be a prefix (the reference cut it): it matches one
 * extracted value that starts with it, after the exact values have taken theirs.
 */
final class FieldAgreement {
  /** One expected value; {@code prefix} when the reference holds only its beginning. */
  record Expected(String value, boolean prefix) {}

  /** The score of one field of one capture, and the entries that did not match. */
  record Result(long matched, long union, List<String> expectedOnly, List<String> extractedOnly) {
    boolean agrees() {
      return expectedOnly.isEmpty() && extractedOnly.isEmpty();
    }
  }

  /** Values longer than this are shown by their start and length. */
  private static final int SHOWN = 100;

  private FieldAgreement() {}

  static Result score(List<Expected> expected, List<String> extracted) {
    List<String> left = new ArrayList<>(extracted);
    List<String> expectedOnly = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    long matched = 0;
    for (Expected e : expected) {
      if (e.prefix()) {
        prefixes.add(e.value());
      } else if (left.remove(e.value())) {
        matched++;
      } else {
        expectedOnly.add(shown(e.value()));
      }
    }
    for (String p : prefixes) {
      int i = 0;
      while (i < left.size() && !left.get(i).startsWith(p)) {
        i++;
      }
      if (i < left.size()) {
        left.remove(i);
        matched++;
      } else {
        expectedOnly.add(shown(p) + " (prefix)");
      }
    }
    long union = expected.size() + extracted.size() - matched;
    return new Result(
        matched, union, counted(expectedOnly), counted(left.stream().map(FieldAgreement::shown)));
  }

  /**
   * A value in single quotes; one longer than {@value #SHOWN} characters as its first 40 and its
   * length, {@code 'aaa'…(4096 chars)}.
   */
  static String shown(String v) {
    return v.length() > SHOWN
        ? "'" + v.substring(0, 40) + "'…(" + v.length() + " chars)"
        : "'" + v + "'";
  }

  /** A multiset as its sorted distinct entries, {@code 'x' ×n} for one held n times. */
  private static List<String> counted(List<String> entries) {
    return counted(entries.stream());
  }

  private static List<String> counted(Stream<String> entries) {
    Map<String, Integer> counts = new TreeMap<>();
    entries.forEach(e -> counts.merge(e, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    counts.forEach((e, n) -> out.add(n == 1 ? e : e + " ×" + n));
    return out;
  }

  /** One field of one capture that does not agree: what only the reference has, and only we. */
  record Difference(
      String field, String capture, List<String> expectedOnly, List<String> extractedOnly) {
    @Override
    public String toString() {
      return field
          + " "
          + capture
          + ": tshark only "
          + expectedOnly
          + ", ours only "
          + extractedOnly;
    }

    /** How many entries did not match, both sides ({@code 'x' ×n} counts n). */
    long unmatched() {
      long n = 0;
      for (List<String> side : List.of(expectedOnly, extractedOnly)) {
        for (String e : side) {
          int x = e.lastIndexOf(" ×");
          n += x < 0 ? 1 : Long.parseLong(e.substring(x + 2));
        }
      }
      return n;
    }
  }

  /** Several fields scored over captures: their totals and every difference, in order found. */
  static final class Corpus {
    private final Map<String, Total> totals = new TreeMap<>();
    private final List<Difference> differences = new ArrayList<>();

    /**
     * Scores {@code field} of {@code capture}; a capture where neither side has a value is not
     * counted.
     */
    void add(String field, String capture, List<Expected> expected, List<String> extracted) {
      if (expected.isEmpty() && extracted.isEmpty()) {
        return;
      }
      Result r = score(expected, extracted);
      totals.computeIfAbsent(field, f -> new Total()).add(r);
      if (!r.agrees()) {
        differences.add(new Difference(field, capture, r.expectedOnly(), r.extractedOnly()));
      }
    }

    Total total(String field) {
      return totals.getOrDefault(field, new Total());
    }

    List<Difference> differences() {
      return differences;
    }

    /** The differences as {@link Difference#toString} shows them, sorted. */
    List<String> shownDifferences() {
      return differences.stream().map(Difference::toString).sorted().toList();
    }

    /**
     * Unmatched entries per field and cause, for a report: {@code causes} maps a shown difference
     * to its cause; one it lacks is counted as "UNEXPLAINED".
     */
    Map<String, Long> unmatchedByCause(Map<String, String> causes) {
      Map<String, Long> out = new TreeMap<>();
      for (Difference d : differences) {
        out.merge(
            d.field() + ": " + causes.getOrDefault(d.toString(), "UNEXPLAINED"),
            d.unmatched(),
            Long::sum);
      }
      return out;
    }
  }

  /** Sums of one field over captures. */
  static final class Total {
    long matched;
    long union;
    int captures;
    int agreeing;

    void add(Result r) {
      matched += r.matched();
      union += r.union();
      captures++;
      if (r.agrees()) {
        agreeing++;
      }
    }

    /** {@code "matched/union, agreeing/captures captures agree"}: what the tests pin. */
    String pinned() {
      return matched + "/" + union + ", " + agreeing + "/" + captures + " captures agree";
    }

    double percent() {
      return union == 0 ? 100 : 100.0 * matched / union;
    }

    @Override
    public String toString() {
      return String.format(
          "%d of %d (%.2f%%), %d of %d captures agree",
          matched, union, percent(), agreeing, captures);
    }
  }
}
