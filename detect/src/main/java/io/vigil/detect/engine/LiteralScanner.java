package io.vigil.detect.engine;

import io.vigil.detect.sigma.match.CaseFold;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which of many case-folded literals occur in a text, ignoring case as Sigma does ({@link
 * CaseFold}), in one pass over it (an Aho-Corasick automaton compiled to a transition table), and
 * reports them as the union of a bit mask per literal. The text is folded on the fly, one character
 * at a time, so it need not be copied. Only the characters the literals use get their own column in
 * the table; every other character leads back towards the start. Immutable after construction;
 * thread-safe.
 */
final class LiteralScanner {
  private final int[] asciiClass = new int[128];
  private final Map<Character, Integer> wideClass = new HashMap<>();
  private final int classes;
  private final int[] next;

  /** Per state, the OR of the masks of every literal that ends there; null for none. */
  private final long[][] masks;

  /**
   * @param literals distinct, non-empty
   * @param literalMasks one mask per literal, all {@code words} long
   */
  LiteralScanner(List<String> literals, List<long[]> literalMasks, int words) {
    int cls = 1; // 0: a character no literal contains
    int states = 1;
    for (String l : literals) {
      states += l.length();
      for (int i = 0; i < l.length(); i++) {
        char c = l.charAt(i);
        if (c < 128 ? asciiClass[c] == 0 : !wideClass.containsKey(c)) {
          if (c < 128) {
            asciiClass[c] = cls++;
          } else {
            wideClass.put(c, cls++);
          }
        }
      }
    }
    classes = cls;
    // Upper-case ASCII letters fold to their lower-case letters' columns.
    for (char c = 'A'; c <= 'Z'; c++) {
      asciiClass[c] = asciiClass[CaseFold.fold(c)];
    }
    int[] table = new int[states * classes];
    Arrays.fill(table, -1);
    long[][] out = new long[states][];
    int used = 1;
    for (int li = 0; li < literals.size(); li++) {
      String l = literals.get(li);
      int s = 0;
      for (int i = 0; i < l.length(); i++) {
        int k = classOf(l.charAt(i));
        if (table[s * classes + k] < 0) {
          table[s * classes + k] = used++;
        }
        s = table[s * classes + k];
      }
      out[s] = or(out[s], literalMasks.get(li), words);
    }
    int[] fail = new int[used];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int k = 0; k < classes; k++) {
      int t = table[k];
      if (t < 0) {
        table[k] = 0;
      } else {
        fail[t] = 0;
        queue.add(t);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      for (int k = 0; k < classes; k++) {
        int t = table[s * classes + k];
        int viaFail = table[fail[s] * classes + k];
        if (t < 0) {
          table[s * classes + k] = viaFail;
        } else {
          fail[t] = viaFail;
          // A literal that ends at the longest proper suffix also ends here.
          if (out[viaFail] != null) {
            out[t] = or(out[t], out[viaFail], words);
          }
          queue.add(t);
        }
      }
    }
    this.next = new int[used * classes];
    for (int i = 0; i < next.length; i++) {
      int t = table[i];
      next[i] = out[t] == null ? t * classes : ~(t * classes);
    }
    this.masks = Arrays.copyOf(out, used);
  }

  private int classOf(char c) {
    if (c < 128) {
      return asciiClass[c];
    }
    Integer k = wideClass.get(c);
    return k == null ? 0 : k;
  }

  private static long[] or(long[] into, long[] mask, int words) {
    long[] r = into == null ? new long[words] : into;
    for (int i = 0; i < words; i++) {
      r[i] |= mask[i];
    }
    return r;
  }

  /** ORs into {@code into} the masks of every literal that occurs in {@code text}, folded. */
  void scan(String text, long[] into) {
    int row = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      row = next[row + (c < 128 ? asciiClass[c] : classOf(CaseFold.fold(c)))];
      if (row < 0) {
        row = ~row;
        // A division only where a literal ends, which is rare.
        long[] m = masks[row / classes];
        for (int w = 0; w < m.length; w++) {
          into[w] |= m[w];
        }
      }
    }
  }

  /** Table entries, for the memory the index takes. */
  int tableSize() {
    return next.length;
  }
}
