package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain table for the listings of {@code vigilctl}: every cell escaped for the terminal and
 * bounded, columns padded to their widest cell. Not thread-safe.
 */
final class TextTable {
  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  TextTable(String... header) {
    this.header = header;
  }

  /** Adds a row; null cells show as "-". */
  TextTable row(String... cells) {
    if (cells.length != header.length) {
      throw new IllegalArgumentException("expected " + header.length + " cells");
    }
    String[] c = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      c[i] = cells[i] == null ? "-" : TerminalText.escape(cells[i], Shown.SHORT);
    }
    rows.add(c);
    return this;
  }

  List<String> lines() {
    int[] width = new int[header.length];
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        b.append(r[i]);
        if (i < r.length - 1) {
          b.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }
}
