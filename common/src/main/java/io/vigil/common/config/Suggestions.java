package io.vigil.common.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" for misspelt keys and values, by edit distance. Stateless. */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The candidate closest to {@code word}, if it is close enough to be a likely typo: at most two
   * edits, or a third of the word's length for long words, and fewer edits than the candidate has
   * characters (so "x" does not suggest "dns").
   */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String w = word.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(w, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance && !candidate.equals(word)) {
        best = candidate;
        bestDistance = d;
      }
    }
    int limit = Math.max(2, w.length() / 3);
    if (best == null || bestDistance > limit || bestDistance >= best.length()) {
      return Optional.empty();
    }
    return Optional.of(best);
  }

  /** Message suffix such as {@code (did you mean "synthetic"?)}, or empty. */
  public static String didYouMean(String word, Collection<String> candidates) {
    return closest(word, candidates).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
  }

  /** Levenshtein distance; inputs are short key names (bounded by the caller's message). */
  static int distance(String a, String b) {
    if (a.length() > 64 || b.length() > 64) {
      return Integer.MAX_VALUE;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
