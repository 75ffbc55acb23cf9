package io.vigil.collector.detection;

import io.vigil.common.text.JsonStrings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON columns of an alert: the rule's tags and the matched fields with their values. Every
 * string is JSON-escaped, so attacker-controlled values cannot break out of their place. Stateless.
 */
public final class AlertJson {
  private AlertJson() {}

  /** {@code ["attack.t1027", ...]} in the rule's order. */
  public static String tags(List<String> tags) {
    StringBuilder out = new StringBuilder();
    array(tags, out);
    return out.toString();
  }

  /** {@code {"CommandLine": ["base64 -d"], "Image": [...]}}, keys sorted for stable output. */
  public static String matchedFields(Map<String, List<String>> fields) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, List<String>> e : new TreeMap<>(fields).entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      JsonStrings.quote(e.getKey(), out);
      out.append(':');
      array(e.getValue(), out);
    }
    return out.append('}').toString();
  }

  /** {@code {"User": "alice", ...}} in the map's order (a correlation's group-by order). */
  static String object(Map<String, String> values) {
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      JsonStrings.quote(e.getKey(), out);
      out.append(':');
      JsonStrings.quote(e.getValue(), out);
    }
    return out.append('}').toString();
  }

  private static void array(List<String> items, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      JsonStrings.quote(items.get(i), out);
    }
    out.append(']');
  }
}
