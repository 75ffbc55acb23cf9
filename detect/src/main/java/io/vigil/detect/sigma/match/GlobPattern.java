package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled Sigma string: the text between {@code *} wildcards as fixed-length segments, matched
 * without regular expressions. Case-insensitive patterns are folded once here and compared with the
 * value's folded form ({@link CaseFold}), which {@link FieldValues} computes once per event and
 * field, so all-literal segments use {@code String.indexOf}/{@code startsWith}. Immutable and
 * thread-safe.
 *
 * <p>The leftmost placement of each middle segment is always safe because segments have fixed
 * length, so matching is linear in the event value times the segment length, without backtracking.
 */
final class GlobPattern {
  private static final byte LITERAL = 0;
  private static final byte ANY_ONE = 1;
  private static final byte ANY_DASH = 2;

  private final Segment[] segments;
  private final boolean anchoredStart;
  private final boolean anchoredEnd;
  private final boolean cased;
  private final int minLength;

  private GlobPattern(List<Segment> segments, boolean start, boolean end, boolean cased) {
    this.segments = segments.toArray(new Segment[0]);
    this.anchoredStart = start;
    this.anchoredEnd = end;
    this.cased = cased;
    int min = 0;
    for (Segment s : this.segments) {
      min += s.chars.length;
    }
    this.minLength = min;
  }

  static GlobPattern compile(SigmaString s, boolean cased) {
    List<Segment> segments = new ArrayList<>();
    StringBuilder chars = new StringBuilder();
    List<Byte> kinds = new ArrayList<>();
    boolean sawMulti = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (s.isSpecial(i) && c == SigmaString.MULTI) {
        segments.add(new Segment(chars.toString(), kinds, cased));
        chars.setLength(0);
        kinds.clear();
        sawMulti = true;
      } else if (s.isSpecial(i)) {
        chars.append(c);
        kinds.add(c == SigmaString.SINGLE ? ANY_ONE : ANY_DASH);
      } else {
        chars.append(c);
        kinds.add(LITERAL);
      }
    }
    segments.add(new Segment(chars.toString(), kinds, cased));
    boolean start = !(s.length() > 0 && s.isSpecial(0) && s.charAt(0) == SigmaString.MULTI);
    int last = s.length() - 1;
    boolean end = !(last >= 0 && s.isSpecial(last) && s.charAt(last) == SigmaString.MULTI);
    if (!sawMulti) {
      start = true;
      end = true;
    }
    segments.removeIf(seg -> seg.chars.length == 0);
    return new GlobPattern(segments, start, end, cased);
  }

  /** Whether {@code v} (the value's string form, not folded) matches. */
  boolean matches(String v) {
    return matchesPrepared(cased ? v : CaseFold.fold(v));
  }

  /** Whether value {@code i} of {@code values} matches, using its cached folded form. */
  boolean matches(FieldValues values, int i) {
    return matchesPrepared(cased ? values.string(i) : values.folded(i));
  }

  /**
   * The longest run of literal characters, folded: every matching value's folded form contains it.
   * Null when the pattern has no literal character.
   */
  String requiredLiteral() {
    String best = null;
    for (Segment seg : segments) {
      int i = 0;
      while (i < seg.chars.length) {
        if (seg.kinds[i] != LITERAL) {
          i++;
          continue;
        }
        int j = i;
        while (j < seg.chars.length && seg.kinds[j] == LITERAL) {
          j++;
        }
        if (best == null || j - i > best.length()) {
          best = CaseFold.fold(new String(seg.chars, i, j - i));
        }
        i = j;
      }
    }
    return best;
  }

  /**
   * The match itself, on the value as the pattern was prepared: folded for a case-insensitive
   * pattern, as it is for a cased one; characters then compare exactly.
   */
  private boolean matchesPrepared(String v) {
    int n = v.length();
    if (n < minLength) {
      return false;
    }
    if (segments.length == 0) {
      // '' matches only the empty string; '*' (or '**') matches anything.
      return !(anchoredStart && anchoredEnd) || n == 0;
    }
    int first = 0;
    int last = segments.length - 1;
    int from = 0;
    int to = n;
    if (anchoredStart) {
      if (!segments[0].matchesAt(v, 0)) {
        return false;
      }
      from = segments[0].chars.length;
      first = 1;
      if (anchoredEnd && segments.length == 1) {
        return n == from;
      }
    }
    if (anchoredEnd && last >= first) {
      Segment tail = segments[last];
      int at = n - tail.chars.length;
      if (at < from || !tail.matchesAt(v, at)) {
        return false;
      }
      to = at;
      last--;
    }
    for (int i = first; i <= last; i++) {
      int at = segments[i].find(v, from, to);
      if (at < 0) {
        return false;
      }
      from = at + segments[i].chars.length;
    }
    return true;
  }

  /** Text between two {@code *}: literal characters, {@code ?} and dash classes. */
  private static final class Segment {
    final char[] chars;
    final byte[] kinds;

    /** Only literal characters: compared with String's (intrinsic) search and comparison. */
    final String plain;

    Segment(String text, List<Byte> kinds, boolean cased) {
      this.chars = text.toCharArray();
      this.kinds = new byte[kinds.size()];
      boolean allLiteral = true;
      for (int i = 0; i < this.kinds.length; i++) {
        this.kinds[i] = kinds.get(i);
        allLiteral &= this.kinds[i] == LITERAL;
        if (!cased && this.kinds[i] == LITERAL) {
          chars[i] = CaseFold.fold(chars[i]);
        }
      }
      this.plain = allLiteral ? new String(chars) : null;
    }

    boolean matchesAt(String v, int at) {
      if (plain != null) {
        return v.startsWith(plain, at);
      }
      for (int i = 0; i < chars.length; i++) {
        char c = v.charAt(at + i);
        byte k = kinds[i];
        if (k == LITERAL ? c != chars[i] : k == ANY_DASH && SigmaString.DASHES.indexOf(c) < 0) {
          return false;
        }
      }
      return true;
    }

    /** Leftmost start in {@code [from, to - length]} where this segment matches, or -1. */
    int find(String v, int from, int to) {
      int lastStart = to - chars.length;
      if (plain != null) {
        int at = v.indexOf(plain, from);
        return at <= lastStart ? at : -1;
      }
      for (int at = from; at <= lastStart; at++) {
        if (matchesAt(v, at)) {
          return at;
        }
      }
      return -1;
    }
  }
}
