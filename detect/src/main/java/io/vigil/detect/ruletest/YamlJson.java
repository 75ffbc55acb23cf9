package io.vigil.detect.ruletest;

import io.vigil.common.text.JsonStrings;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Writes a YAML value as loaded by the safe loader (maps with string keys, lists, strings, whole
 * numbers, floating-point numbers, booleans, null) as JSON text, so that an event written in YAML
 * can go through protobuf's own JSON parser and its checks. Stateless.
 */
final class YamlJson {
  private YamlJson() {}

  /** The JSON text of {@code value}; {@code where} names it in an error. */
  static String write(Object value, String where) throws YamlJsonException {
    StringBuilder out = new StringBuilder(256);
    append(value, where, out);
    return out.toString();
  }

  private static void append(Object v, String where, StringBuilder out) throws YamlJsonException {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      JsonStrings.quote(s, out);
    } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
      out.append(v);
    } else if (v instanceof BigInteger b) {
      out.append(b);
    } else if (v instanceof Double d) {
      // JSON has no NaN or infinities; protobuf's JSON form writes them as these strings.
      if (d.isNaN() || d.isInfinite()) {
        JsonStrings.quote(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity", out);
      } else {
        out.append(d);
      }
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new YamlJsonException(where + ": key " + e.getKey() + " is not a string");
        }
        if (!first) {
          out.append(',');
        }
        first = false;
        JsonStrings.quote(key, out);
        out.append(':');
        append(e.getValue(), where + "." + key, out);
      }
      out.append('}');
    } else if (v instanceof List<?> list) {
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        append(list.get(i), where + "[" + i + "]", out);
      }
      out.append(']');
    } else {
      throw new YamlJsonException(
          where + ": a YAML " + v.getClass().getSimpleName() + " has no JSON form");
    }
  }

  /** A YAML value that JSON cannot express, with where it is. */
  static final class YamlJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    YamlJsonException(String message) {
      super(message);
    }
  }
}
