package io.vigil.detect.sigma.match;

/**
 * Sigma's case-insensitive comparison, one character at a time: two characters are equal ignoring
 * case when their folds are equal. Folding never changes a string's length, so positions in a
 * folded value are positions in the value, and a folded value can be compared to a folded pattern
 * with plain {@code String} operations.
 */
public final class CaseFold {
  private CaseFold() {}

  public static char fold(char c) {
    if (c < 128) {
      return (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
    }
    return Character.toLowerCase(Character.toUpperCase(c));
  }

  /** {@code s} folded; {@code s} itself (no copy) when folding changes nothing, the common case. */
  public static String fold(String s) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c >= 128 || (c >= 'A' && c <= 'Z')) {
        break;
      }
      i++;
    }
    if (i == n) {
      return s;
    }
    char[] out = new char[n];
    s.getChars(0, i, out, 0);
    boolean changed = false;
    for (; i < n; i++) {
      char c = s.charAt(i);
      char f = fold(c);
      out[i] = f;
      changed |= f != c;
    }
    return changed ? new String(out) : s;
  }
}
