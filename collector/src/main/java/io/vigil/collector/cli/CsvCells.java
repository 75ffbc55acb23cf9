package io.vigil.collector.cli;

/**
 * One CSV record per RFC 4180: cells separated by commas, quoted when they hold a comma, a double
 * quote, CR or LF (quotes doubled inside), the record ended by CRLF. Two protections, since event
 * content is attacker-controlled and CSV goes to spreadsheets and terminals: a cell starting with
 * {@code = + - @}, TAB or CR gets a leading {@code '} so a spreadsheet does not run it as a formula
 * (OWASP's CSV injection advice); control characters other than TAB, CR and LF are written as
 * {@code \xNN} (C1 controls as a backslash, u and four hex digits) so the output is safe to print.
 * Stateless.
 */
final class CsvCells {
  /** Longest cell written, in chars (agent fields are bounded far below this). */
  static final int MAX_CELL = 64 * 1024;

  private CsvCells() {}

  static String record(String... cells) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      cell(cells[i] == null ? "" : cells[i], b);
    }
    return b.append("\r\n").toString();
  }

  private static void cell(String raw, StringBuilder out) {
    String s = raw.length() > MAX_CELL ? raw.substring(0, MAX_CELL) : raw;
    StringBuilder c = new StringBuilder(s.length() + 2);
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
      c.append('\'');
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') || (ch >= 0x7f && ch < 0xa0)) {
        c.append(
            ch < 0x80 ? String.format("\\x%02x", (int) ch) : String.format("\\u%04x", (int) ch));
      } else {
        c.append(ch);
      }
    }
    String v = c.toString();
    boolean quote =
        v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0;
    if (quote) {
      out.append('"').append(v.replace("\"", "\"\"")).append('"');
    } else {
      out.append(v);
    }
  }
}
