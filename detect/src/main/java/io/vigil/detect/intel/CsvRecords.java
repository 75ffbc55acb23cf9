package io.vigil.detect.intel;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 records: comma-separated fields, double quotes around a field that holds commas, quotes
 * ({@code ""}) or line breaks; lines end with CRLF or LF. Bounded: a record over {@code maxChars}
 * characters or {@code maxFields} fields is read to its end and reported as too long. A leading
 * byte order mark is dropped. Not thread-safe.
 */
final class CsvRecords {
  private final Reader in;
  private final int maxChars;
  private final int maxFields;
  private int line = 1;
  private int recordLine;
  private boolean tooLong;
  private boolean first = true;
  private int peeked = -2;

  CsvRecords(Reader in, int maxChars, int maxFields) {
    this.in = in;
    this.maxChars = maxChars;
    this.maxFields = maxFields;
  }

  /** The next record's fields, or null at the end; a blank line is an empty list. */
  List<String> next() throws IOException {
    int c = read();
    if (first) {
      first = false;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    if (c < 0) {
      return null;
    }
    recordLine = line;
    tooLong = false;
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int chars = 0;
    boolean quoted = false;
    boolean fieldStart = true;
    while (true) {
      if (c < 0) {
        break;
      }
      if (quoted) {
        if (c == '"') {
          int d = read();
          if (d == '"') {
            chars = append(f, '"', chars);
          } else {
            quoted = false;
            c = d;
            continue;
          }
        } else {
          if (c == '\n') {
            line++;
          }
          chars = append(f, (char) c, chars);
        }
      } else if (c == '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (c == ',') {
        addField(fields, f);
        fieldStart = true;
      } else if (c == '\r' || c == '\n') {
        if (c == '\r') {
          int d = read();
          if (d != '\n') {
            peeked = d;
          }
        }
        line++;
        break;
      } else {
        fieldStart = false;
        chars = append(f, (char) c, chars);
      }
      c = read();
    }
    addField(fields, f);
    if (fields.size() == 1 && fields.get(0).isEmpty()) {
      return List.of();
    }
    return fields;
  }

  /** The line the record last returned started on. */
  int line() {
    return recordLine;
  }

  /** True when the record last returned was cut at a bound (its fields must not be used). */
  boolean tooLong() {
    return tooLong;
  }

  private void addField(List<String> fields, StringBuilder f) {
    if (fields.size() < maxFields) {
      fields.add(f.toString());
    } else {
      tooLong = true;
    }
    f.setLength(0);
  }

  private int append(StringBuilder f, char c, int chars) {
    if (chars < maxChars) {
      f.append(c);
    } else {
      tooLong = true;
    }
    return chars + 1;
  }

  private int read() throws IOException {
    if (peeked != -2) {
      int c = peeked;
      peeked = -2;
      return c;
    }
    return in.read();
  }
}
