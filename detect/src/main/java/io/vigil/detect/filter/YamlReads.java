package io.vigil.detect.filter;

import io.vigil.detect.sigma.SigmaRuleException;
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
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value, String path) throws SigmaRuleException {
    if (!(value instanceof Map<?, ?> m)) {
      throw new SigmaRuleException(path, "must be a mapping, found " + describe(value));
    }
    for (Object key : m.keySet()) {
      if (!(key instanceof String)) {
        throw new SigmaRuleException(path, "keys must be strings, found " + describe(key));
      }
    }
    return (Map<String, Object>) m;
  }

  /** A text scalar (numbers and booleans spelled out), at most {@link #MAX_TEXT} characters. */
  static String text(Object value, String path) throws SigmaRuleException {
    if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      throw new SigmaRuleException(path, "must be a text value, found " + describe(value));
    }
    String s = value.toString();
    if (s.length() > MAX_TEXT) {
      throw new SigmaRuleException(path, "longer than " + MAX_TEXT + " characters");
    }
    return s;
  }

  /** An optional text scalar; {@code null} when absent. */
  static String optionalText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    Object value = map.get(key);
    return value == null ? null : text(value, join(path, key));
  }

  /** A required, non-blank text scalar. */
  static String requiredText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    String where = join(path, key);
    if (!map.containsKey(key) || map.get(key) == null) {
      throw new SigmaRuleException(where, "missing");
    }
    String value = text(map.get(key), where);
    if (value.isBlank()) {
      throw new SigmaRuleException(where, "must not be empty");
    }
    return value;
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
    if (value == null) {
      return "nothing (null)";
    }
    if (value instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (value instanceof List<?>) {
      return "a list";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
