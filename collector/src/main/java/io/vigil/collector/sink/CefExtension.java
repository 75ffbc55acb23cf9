package io.vigil.collector.sink;

/**
 * Appends {@code key=value} pairs of a CEF extension, separated by single spaces, to a record while
 * they fit its byte budget. A pair that does not fit whole is cut (text) or left out (numbers, and
 * texts with no room). Not thread-safe: one per record.
 */
final class CefExtension {
  private final StringBuilder out;
  private int left;
  private boolean first = true;

  CefExtension(StringBuilder out, int budgetBytes) {
    this.out = out;
    this.left = budgetBytes;
  }

  /** Bytes a value could take after {@code keys=} (with its separator) right now. */
  int roomFor(String keys) {
    return left - (first ? 0 : 1) - keys.length() - 1;
  }

  void number(String key, long value) {
    put(key + "=" + value);
  }

  /** {@code key=value}, the value escaped and cut to the room left and {@code maxBytes}. */
  void text(String key, String value, int maxBytes) {
    if (value == null || value.isEmpty()) {
      return;
    }
    String v = CefFormatter.extension(value, Math.min(maxBytes, roomFor(key)));
    if (!v.isEmpty()) {
      put(key + "=" + v);
    }
  }

  /** A custom string {@code csN} with its {@code csNLabel}, both or neither. */
  void labelled(String key, String label, String value, int maxBytes) {
    if (value == null || value.isEmpty()) {
      return;
    }
    String keys = key + "Label=" + label + " " + key;
    String v = CefFormatter.extension(value, Math.min(maxBytes, roomFor(keys)));
    if (!v.isEmpty()) {
      put(keys + "=" + v);
    }
  }

  /** Like {@link #labelled} for a value that is useless cut (JSON): whole or not at all. */
  void labelledWhole(String key, String label, String value, int maxBytes) {
    if (value == null || value.isEmpty()) {
      return;
    }
    String keys = key + "Label=" + label + " " + key;
    String v = CefFormatter.extension(value, Integer.MAX_VALUE);
    int n = SyslogText.utf8Length(v);
    if (n <= maxBytes && n <= roomFor(keys)) {
      put(keys + "=" + v);
    }
  }

  private void put(String pair) {
    int n = SyslogText.utf8Length(pair) + (first ? 0 : 1);
    if (n > left) {
      return;
    }
    if (!first) {
      out.append(' ');
    }
    out.append(pair);
    left -= n;
    first = false;
  }
}
