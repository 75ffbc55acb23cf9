package io.vigil.detect.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.detect.sigma.match.CaseFold;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LiteralScannerTest {

  /** One mask bit per literal, {@code words} longs long. */
  private static LiteralScanner scanner(List<String> literals, int words) {
    List<long[]> masks = new ArrayList<>();
    for (int i = 0; i < literals.size(); i++) {
      long[] m = new long[words];
      m[(i >> 6) % words] |= 1L << i;
      masks.add(m);
    }
    return new LiteralScanner(literals, masks, words);
  }

  private static long found(LiteralScanner s, String text) {
    long[] into = new long[1];
    s.scan(text, into);
    return into[0];
  }

  @Test
  void findsOverlappingLiteralsIncludingOnesInsideOthers() {
    LiteralScanner s = scanner(List.of("he", "she", "his", "hers"), 1);
    assertEquals(0b1011, found(s, "ushers")); // she, he, hers
    assertEquals(0b0100, found(s, "this"));
    assertEquals(0, found(s, "nothing at all: h-e"));
  }

  @Test
  void ignoresCaseAsSigmaDoes() {
    LiteralScanner s = scanner(List.of("/etc/shadow", "key"), 1);
    assertEquals(0b01, found(s, "CAT /ETC/Shadow"));
    // U+212A KELVIN SIGN folds to 'k'.
    assertEquals(0b10, found(s, "\u212Aey"));
    assertEquals(0, found(s, "kez"));
  }

  @Test
  void masksSpanSeveralWords() {
    List<String> literals = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      literals.add("w" + i + ";");
    }
    LiteralScanner s = scanner(literals, 3);
    long[] into = new long[3];
    s.scan("w129; and w3;", into);
    long[] expected = new long[3];
    expected[2] |= 1L << 129;
    expected[0] |= 1L << 3;
    assertArrayEquals(expected, into);
  }

  /** Against the obvious search, on random literals and texts over a small alphabet. */
  @Test
  void agreesWithIndexOfOnRandomInput() {
    Random r = new Random(7);
    String alphabet = "abAB-/ \u00e9\u00c9";
    for (int round = 0; round < 200; round++) {
      List<String> literals = new ArrayList<>();
      for (int i = 0; i < 1 + r.nextInt(40); i++) {
        String l = CaseFold.fold(random(r, alphabet, 1 + r.nextInt(5)));
        if (!literals.contains(l)) {
          literals.add(l);
        }
      }
      LiteralScanner s = scanner(literals, 1);
      for (int t = 0; t < 20; t++) {
        String text = random(r, alphabet, r.nextInt(30));
        long expected = 0;
        for (int i = 0; i < literals.size(); i++) {
          if (CaseFold.fold(text).contains(literals.get(i))) {
            expected |= 1L << i;
          }
        }
        assertEquals(expected, found(s, text), literals + " in " + text);
      }
    }
  }

  private static String random(Random r, String alphabet, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
