package io.vigil.detect.lint;

import io.vigil.detect.sigma.rule.SearchIdentifier;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldItem;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldSelection;
import io.vigil.detect.sigma.rule.SearchIdentifier.SelectionList;
import io.vigil.detect.sigma.rule.SigmaRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The Sigma field names a rule's detection refers to (the field spec before the first {@code |},
 * and the fields {@code fieldref} values name), and which of its searches can never match when some
 * fields are never filled. Keyword searches search any field and name none. Stateless.
 */
public final class RuleFieldUse {
  private RuleFieldUse() {}

  /** Every field name the rule's searches refer to, sorted. */
  public static Set<String> fields(SigmaRule rule) {
    Set<String> out = new TreeSet<>();
    for (SearchIdentifier s : rule.detection().searches().values()) {
      for (FieldSelection sel : selections(s)) {
        for (FieldItem item : sel.items()) {
          String field = item.fieldName();
          if (field.isEmpty()) {
            continue; // a keyword item ('|all'): any field
          }
          out.add(field);
          if (item.modifiers().contains("fieldref")) {
            item.values().forEach(v -> out.add(String.valueOf(v)));
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code search} can never match when the fields {@code filled} rejects are absent from
   * every event: a map whose item needs such a field, or a list of maps each of which does. An item
   * that may match an absent field ({@code null}, {@code exists}, {@code neq}) does not count, nor
   * does a keyword search.
   */
  static boolean neverMatches(SearchIdentifier search, Predicate<String> filled) {
    List<FieldSelection> sels = selections(search);
    return !sels.isEmpty() && sels.stream().allMatch(sel -> neverMatches(sel, filled));
  }

  private static boolean neverMatches(FieldSelection sel, Predicate<String> filled) {
    for (FieldItem item : sel.items()) {
      String field = item.fieldName();
      List<String> mods = item.modifiers();
      boolean mayMatchAbsent =
          item.values().contains(null) || mods.contains("exists") || mods.contains("neq");
      if (!field.isEmpty() && !filled.test(field) && !mayMatchAbsent) {
        return true;
      }
    }
    return false;
  }

  /** A search as its maps: one for a map, several for a list of maps, none for keywords. */
  private static List<FieldSelection> selections(SearchIdentifier s) {
    if (s instanceof FieldSelection sel) {
      return List.of(sel);
    }
    if (s instanceof SelectionList list) {
      return list.alternatives();
    }
    return List.of();
  }

  /** The searches of {@code rule} that can never match, by name. */
  public static Set<String> deadSearches(SigmaRule rule, Predicate<String> filled) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, SearchIdentifier> e : rule.detection().searches().entrySet()) {
      if (neverMatches(e.getValue(), filled)) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /**
   * The searches of {@code rule} with at least one map that can never match, by name: the dead
   * searches, and lists of maps that lost an alternative. Negated, either kind lets through events
   * the rule as written would exclude.
   */
  public static Set<String> partlyDeadSearches(SigmaRule rule, Predicate<String> filled) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, SearchIdentifier> e : rule.detection().searches().entrySet()) {
      if (selections(e.getValue()).stream().anyMatch(sel -> neverMatches(sel, filled))) {
        out.add(e.getKey());
      }
    }
    return out;
  }
}
