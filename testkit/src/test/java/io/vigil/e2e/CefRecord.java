package io.vigil.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CEF record parsed back the way a SIEM reads one: seven {@code |}-separated header fields
 * ({@code \|} and {@code \\} unescaped) and the extension's {@code key=value} pairs, where a key
 * starts after a space and ends at an unescaped {@code =}, and values unescape {@code \=}, {@code
 * \\}, {@code \n} and {@code \r}. Written for the tests, independent of the formatter.
 */
record CefRecord(List<String> header, Map<String, String> extension) {
  static CefRecord parse(String text) {
    if (!text.startsWith("CEF:")) {
      throw new AssertionError("not a CEF record: " + text);
    }
    List<String> header = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 4;
    while (header.size() < 7) {
      if (i >= text.length()) {
        throw new AssertionError("CEF header ends early: " + text);
      }
      char c = text.charAt(i++);
      if (c == '\\' && i < text.length()) {
        char n = text.charAt(i++);
        if (n != '\\' && n != '|') {
          throw new AssertionError("bad header escape \\" + n + " in " + text);
        }
        field.append(n);
      } else if (c == '|') {
        header.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    return new CefRecord(header, extension(text.substring(i)));
  }

  private static Map<String, String> extension(String ext) {
    List<Integer> equals = new ArrayList<>();
    for (int i = 0; i < ext.length(); i++) {
      char c = ext.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '=') {
        equals.add(i);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    int keyStart = 0;
    for (int k = 0; k < equals.size(); k++) {
      int eq = equals.get(k);
      String key = ext.substring(keyStart, eq);
      if (!key.matches("[A-Za-z0-9_]+")) {
        throw new AssertionError("bad extension key '" + key + "' in " + ext);
      }
      int valueEnd = k + 1 < equals.size() ? ext.lastIndexOf(' ', equals.get(k + 1)) : ext.length();
      if (valueEnd < eq) {
        throw new AssertionError("no space before the key after " + key + " in " + ext);
      }
      if (out.put(key, unescape(ext.substring(eq + 1, valueEnd))) != null) {
        throw new AssertionError("key " + key + " twice in " + ext);
      }
      keyStart = valueEnd + 1;
    }
    return out;
  }

  private static String unescape(String v) {
    StringBuilder out = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char n = v.charAt(++i);
      switch (n) {
        case '\\', '=' -> out.append(n);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        default -> throw new AssertionError("bad extension escape \\" + n + " in " + v);
      }
    }
    return out.toString();
  }

  String name() {
    return header.get(5);
  }
}
