package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed reads of loaded YAML values, each failure naming its path in the document (rules,
 * correlations, filters, allow-lists). Stateless.
 */
public final class YamlValues {
  private YamlValues() {}

  /** A mapping with string keys; {@code null} is refused. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object value, String path) throws SigmaRuleException {
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

  /** An optional text scalar: numbers and booleans are spelled out, absent gives {@code null}. */
  public static String optionalText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    Object value = map.get(key);
    if (value == null) {
      return null;
    }
    return text(value, path.isEmpty() ? key : path + "." + key);
  }

  /** A required, non-blank text scalar. */
  public static String requiredText(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    String where = path.isEmpty() ? key : path + "." + key;
    if (!map.containsKey(key)) {
      throw new SigmaRuleException(where, "missing");
    }
    String value = optionalText(map, key, path);
    if (value == null || value.isBlank()) {
      throw new SigmaRuleException(where, "must not be empty");
    }
    return value;
  }

  /** An optional list of text scalars; a single scalar counts as a one-element list. */
  static List<String> textList(Map<String, Object> map, String key, String path)
      throws SigmaRuleException {
    Object value = map.get(key);
    String where = path.isEmpty() ? key : path + "." + key;
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        out.add(text(list.get(i), where + "[" + i + "]"));
      }
    } else {
      out.add(text(value, where));
    }
    return out;
  }

  public static String text(Object value, String path) throws SigmaRuleException {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    throw new SigmaRuleException(path, "must be a text value, found " + describe(value));
  }

  /**
   * A detection value as the matchers expect it: strings, booleans and {@code null} unchanged,
   * integers widened to {@code Long}, floating point as {@code Double}. Anything else (nested
   * collections, binary) is refused.
   */
  static Object searchValue(Object value, String path) throws SigmaRuleException {
    if (value == null || value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      if (big.bitLength() < 64) {
        return big.longValue();
      }
      throw new SigmaRuleException(path, "integer " + big + " is out of range");
    }
    if (value instanceof Double || value instanceof Float) {
      return ((Number) value).doubleValue();
    }
    throw new SigmaRuleException(path, "must be a plain value, found " + describe(value));
  }

  public static String describe(Object value) {
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
