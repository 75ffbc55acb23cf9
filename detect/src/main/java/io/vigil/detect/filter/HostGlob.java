package io.vigil.detect.filter;

import java.util.Locale;

/**
 * A host name pattern: {@code *} stands for any run of characters, {@code ?} for one; letter case
 * is ignored (host names are case-insensitive). Matched without regular expressions, in time
 * bounded by the product of the two lengths. Immutable; thread-safe.
 */
record HostGlob(String pattern) {
  HostGlob {
    pattern = pattern.toLowerCase(Locale.ROOT);
  }

  boolean matches(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    int p = 0;
    int i = 0;
    int star = -1;
    int resume = 0;
    while (i < h.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        resume = i;
      } else if (p < pattern.length()
          && (pattern.charAt(p) == '?' || pattern.charAt(p) == h.charAt(i))) {
        p++;
        i++;
      } else if (star >= 0) {
        p = star + 1;
        i = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
