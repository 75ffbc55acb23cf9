package io.vigil.detect.intel;

import java.util.List;
import java.util.Map;

/**
 * Lower-case names (domains, hashes, fingerprints) to indicators, looked up by a region of any
 * string with ASCII case folded, so an event's value and each of its parent domains are found
 * without allocating a substring. Open addressing. Immutable after construction; safe for
 * concurrent reads.
 */
final class NameTable {
  private final String[] keys;

  /** Each key's hash, compared before the key itself so a probe rarely touches a string. */
  private final int[] hashes;

  private final Indicator[][] values;
  private final int mask;
  private final int size;

  NameTable(Map<String, List<Indicator>> entries) {
    int cap = Integer.highestOneBit(Math.max(4, entries.size() * 2 + 1)) << 1;
    keys = new String[cap];
    hashes = new int[cap];
    values = new Indicator[cap][];
    mask = cap - 1;
    size = entries.size();
    for (Map.Entry<String, List<Indicator>> e : entries.entrySet()) {
      String k = e.getKey();
      int h = hash(k, 0, k.length());
      int i = h & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = k;
      hashes[i] = h;
      values[i] = e.getValue().toArray(new Indicator[0]);
    }
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Indicators whose key equals {@code s[from, to)} with ASCII letters folded, or null. */
  Indicator[] get(String s, int from, int to) {
    int h = hash(s, from, to);
    int i = h & mask;
    int n = to - from;
    String k;
    while ((k = keys[i]) != null) {
      if (hashes[i] == h && k.length() == n && k.regionMatches(true, 0, s, from, n)) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static int hash(String s, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      h = 31 * h + c;
    }
    return h ^ (h >>> 16);
  }
}
