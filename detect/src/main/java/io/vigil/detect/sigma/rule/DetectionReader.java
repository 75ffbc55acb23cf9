package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldItem;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldSelection;
import io.vigil.detect.sigma.rule.SearchIdentifier.Keywords;
import io.vigil.detect.sigma.rule.SearchIdentifier.SelectionList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a rule's {@code detection} mapping into a {@link Detection}. Stateless. */
public final class DetectionReader {
  private static final String PATH = "detection";

  private DetectionReader() {}

  public static Detection read(Object value) throws SigmaRuleException {
    Map<String, Object> detection = YamlValues.map(value, PATH);
    if (detection.containsKey("timeframe")) {
      throw new SigmaRuleException(
          PATH + ".timeframe",
          "timeframe belongs to the deprecated aggregation syntax and is not supported");
    }
    Map<String, SearchIdentifier> searches = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : detection.entrySet()) {
      if (!e.getKey().equals("condition")) {
        searches.put(e.getKey(), search(e.getValue(), PATH + "." + e.getKey()));
      }
    }
    if (searches.isEmpty()) {
      throw new SigmaRuleException(PATH, "has no search identifiers");
    }
    return new Detection(searches, conditions(detection));
  }

  private static List<String> conditions(Map<String, Object> detection) throws SigmaRuleException {
    String where = PATH + ".condition";
    Object value = detection.get("condition");
    if (value == null) {
      throw new SigmaRuleException(where, "missing");
    }
    List<String> conditions = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof String s)) {
          throw new SigmaRuleException(where + "[" + i + "]", "must be a string");
        }
        conditions.add(s);
      }
    } else if (value instanceof String s) {
      conditions.add(s);
    } else {
      throw new SigmaRuleException(where, "must be a string or a list of strings");
    }
    if (conditions.isEmpty()) {
      throw new SigmaRuleException(where, "must not be empty");
    }
    return conditions;
  }

  private static SearchIdentifier search(Object value, String path) throws SigmaRuleException {
    if (value instanceof Map<?, ?>) {
      return selection(value, path);
    }
    if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        throw new SigmaRuleException(path, "empty list");
      }
      if (list.get(0) instanceof Map<?, ?>) {
        List<FieldSelection> alternatives = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          if (!(list.get(i) instanceof Map<?, ?>)) {
            throw new SigmaRuleException(
                path + "[" + i + "]", "a list of maps must not mix in plain values");
          }
          alternatives.add(selection(list.get(i), path + "[" + i + "]"));
        }
        return new SelectionList(alternatives);
      }
      return new Keywords(values(list, path));
    }
    if (value == null) {
      throw new SigmaRuleException(path, "empty search identifier");
    }
    // A single keyword, e.g. `keywords: 'mimikatz'`: the one-element form of a keyword list.
    return new Keywords(List.of(YamlValues.searchValue(value, path)));
  }

  private static FieldSelection selection(Object value, String path) throws SigmaRuleException {
    Map<String, Object> map = YamlValues.map(value, path);
    if (map.isEmpty()) {
      throw new SigmaRuleException(path, "empty mapping");
    }
    List<FieldItem> items = new ArrayList<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String where = path + "." + e.getKey();
      Object v = e.getValue();
      List<Object> values;
      if (v instanceof List<?> list) {
        if (list.isEmpty()) {
          throw new SigmaRuleException(where, "empty list of values");
        }
        values = values(list, where);
      } else {
        values = new ArrayList<>();
        values.add(YamlValues.searchValue(v, where));
      }
      items.add(new FieldItem(e.getKey(), values));
    }
    return new FieldSelection(items);
  }

  private static List<Object> values(List<?> list, String path) throws SigmaRuleException {
    List<Object> values = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      values.add(YamlValues.searchValue(list.get(i), path + "[" + i + "]"));
    }
    return values;
  }
}
