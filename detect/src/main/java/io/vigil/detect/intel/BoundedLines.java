package io.vigil.detect.intel;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a text, each kept to at most {@code max} characters (the rest of a longer line is read
 * and dropped, so one huge line cannot exhaust memory). Ends lines at LF, CRLF or CR; drops a
 * leading byte order mark. Not thread-safe.
 */
final class BoundedLines {
  private final Reader in;
  private final int max;
  private final StringBuilder line = new StringBuilder();
  private int number;
  private boolean truncated;
  private int pushedBack = -2;

  BoundedLines(Reader in, int max) {
    this.in = in;
    this.max = max;
  }

  /** The next line, or null at the end. */
  String next() throws IOException {
    line.setLength(0);
    truncated = false;
    int c = read();
    if (c < 0) {
      return null;
    }
    number++;
    if (number == 1 && c == '\uFEFF') {
      c = read();
    }
    while (c >= 0 && c != '\n' && c != '\r') {
      if (line.length() < max) {
        line.append((char) c);
      } else {
        truncated = true;
      }
      c = read();
    }
    if (c == '\r') {
      int d = read();
      if (d != '\n' && d >= 0) {
        pushedBack = d;
      }
    }
    return line.toString();
  }

  /** The 1-based number of the line last returned. */
  int number() {
    return number;
  }

  /** True when the line last returned was longer than the bound. */
  boolean truncated() {
    return truncated;
  }

  private int read() throws IOException {
    if (pushedBack != -2) {
      int c = pushedBack;
      pushedBack = -2;
      return c;
    }
    return in.read();
  }
}
