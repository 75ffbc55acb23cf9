package io.vigil.detect.filter;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.YamlValues;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of loaded YAML values for filter and allow-list files, each failure naming its path.
 * Stateless.
 */
final class YamlReads {
  /** Far above any honest title, reason or name; bounds what reports and counters repeat. */
  static final int MAX_TEXT = 1024;

  private YamlReads() {}

  /** A mapping with string keys; {@code null} and anything else are refused. */
  static Map<String, Object> map(Object value, String path) throws SigmaRuleException {
    return YamlValues.map(value, path);
  }

  /** A text scalar (numbers and booleans spelled out), at most {@link #MAX_TEXT} characters. */
  static String text(Object value, String path) throws SigmaRuleException {
    return bounded(YamlValues.text(value, path), path);
  }

  /** An optional text scalar; {@code null} when absent. */
  static String optionalText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    String s = YamlValues.optionalText(map, key, path);
    return s == null ? null : bounded(s, join(path, key));
  }

  /** A required, non-blank text scalar. */
  static String requiredText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    if (map.containsKey(key) && map.get(key) == null) {
      throw new SigmaRuleException(join(path, key), "missing");
    }
    return bounded(YamlValues.requiredText(map, key, path), join(path, key));
  }

  private static String bounded(String s, String path) throws SigmaRuleException {
    if (s.length() > MAX_TEXT) {
      throw new SigmaRuleException(path, "longer than " + MAX_TEXT + " characters");
    }
    return s;
  }

  /**
   * A non-empty list of distinct, non-blank text scalars; a single scalar counts as a one-element
   * list.
   */
  static List<String> textList(Object value, String path) throws SigmaRuleException {
    List<?> items = value instanceof List<?> l ? l : value == null ? List.of() : List.of(value);
    if (items.isEmpty()) {
      throw new SigmaRuleException(path, "must list at least one value");
    }
    List<String> out = new ArrayList<>(items.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String where = value instanceof List<?> ? path + "[" + i + "]" : path;
      String s = text(items.get(i), where);
      if (s.isBlank()) {
        throw new SigmaRuleException(where, "must not be empty");
      }
      if (!seen.add(s)) {
        throw new SigmaRuleException(where, "'" + s + "' is listed twice");
      }
      out.add(s);
    }
    return out;
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String describe(Object value) {
    return YamlValues.describe(value);
  }
}
