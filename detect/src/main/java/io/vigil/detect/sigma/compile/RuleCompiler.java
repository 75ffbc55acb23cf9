package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.condition.ConditionNode;
import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import io.vigil.detect.sigma.condition.ConditionNode.Quantifier;
import io.vigil.detect.sigma.condition.ConditionParser;
import io.vigil.detect.sigma.condition.SearchPolarity;
import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.rule.SearchIdentifier;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldItem;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldSelection;
import io.vigil.detect.sigma.rule.SearchIdentifier.Keywords;
import io.vigil.detect.sigma.rule.SearchIdentifier.SelectionList;
import io.vigil.detect.sigma.rule.SigmaRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a {@link SigmaRule} into a {@link CompiledRule}: parses its condition, compiles every
 * search identifier once through the given {@link SelectionItemCompiler} (a map is the AND of its
 * items, a list of maps the OR of the maps, a plain list a keyword search), then builds the
 * condition tree over those matchers, sharing a search's matcher wherever the condition names it.
 * Stateless and thread-safe.
 */
public final class RuleCompiler {
  private RuleCompiler() {}

  public static CompiledRule compile(SigmaRule rule, SelectionItemCompiler items)
      throws SigmaRuleException {
    ConditionNode condition = ConditionParser.parse(rule.detection());
    Map<String, FieldMatcher> searches = new HashMap<>();
    List<MatchedFieldProbe> probes = new ArrayList<>();
    Set<String> positive = SearchPolarity.positive(condition);
    for (Map.Entry<String, SearchIdentifier> e : rule.detection().searches().entrySet()) {
      String where = "detection." + e.getKey();
      FieldMatcher whole = search(e.getValue(), where, items);
      searches.put(e.getKey(), whole);
      if (positive.contains(e.getKey())) {
        probes.addAll(probes(e.getValue(), whole, where, items));
      }
    }
    return new CompiledRule(rule, condition, build(condition, searches), probes);
  }

  /**
   * For explaining a match: each named field item of a search, paired with the matcher of the map
   * it belongs to (the whole search for a map, its own alternative for a list of maps), so a field
   * is reported only when its map matched too. Compiled a second time here (once per rule, used
   * only for matches) rather than threading the item matchers through the hot path.
   */
  private static List<MatchedFieldProbe> probes(
      SearchIdentifier search, FieldMatcher whole, String where, SelectionItemCompiler items)
      throws SigmaRuleException {
    List<MatchedFieldProbe> out = new ArrayList<>();
    if (search instanceof FieldSelection selection) {
      addProbes(selection, whole, where, items, out);
    } else if (search instanceof SelectionList list) {
      for (int i = 0; i < list.alternatives().size(); i++) {
        FieldSelection alternative = list.alternatives().get(i);
        String at = where + "[" + i + "]";
        addProbes(alternative, selection(alternative, at, items), at, items, out);
      }
    }
    return out;
  }

  private static void addProbes(
      FieldSelection selection,
      FieldMatcher map,
      String where,
      SelectionItemCompiler items,
      List<MatchedFieldProbe> out)
      throws SigmaRuleException {
    for (FieldItem item : selection.items()) {
      String field = item.fieldName();
      if (!field.isEmpty()) {
        FieldMatcher m = items.field(item.fieldSpec(), item.values(), where + "." + field);
        out.add(new MatchedFieldProbe(field, map, m));
      }
    }
  }

  private static FieldMatcher search(
      SearchIdentifier search, String where, SelectionItemCompiler items)
      throws SigmaRuleException {
    if (search instanceof FieldSelection selection) {
      return selection(selection, where, items);
    }
    if (search instanceof SelectionList list) {
      List<FieldMatcher> alternatives = new ArrayList<>();
      for (int i = 0; i < list.alternatives().size(); i++) {
        alternatives.add(selection(list.alternatives().get(i), where + "[" + i + "]", items));
      }
      return Combinators.any(alternatives);
    }
    Keywords keywords = (Keywords) search;
    return items.keywords(keywords.values(), where);
  }

  private static FieldMatcher selection(
      FieldSelection selection, String where, SelectionItemCompiler items)
      throws SigmaRuleException {
    List<FieldMatcher> all = new ArrayList<>();
    for (FieldItem item : selection.items()) {
      all.add(items.field(item.fieldSpec(), item.values(), where + "." + item.fieldSpec()));
    }
    return Combinators.all(all);
  }

  private static FieldMatcher build(ConditionNode node, Map<String, FieldMatcher> searches) {
    if (node instanceof Identifier id) {
      return searches.get(id.name());
    }
    if (node instanceof Not not) {
      return Combinators.not(build(not.operand(), searches));
    }
    if (node instanceof And and) {
      return Combinators.all(buildAll(and.operands(), searches));
    }
    if (node instanceof Or or) {
      return Combinators.any(buildAll(or.operands(), searches));
    }
    Quantified q = (Quantified) node;
    List<FieldMatcher> operands = new ArrayList<>();
    for (String name : q.identifiers()) {
      operands.add(searches.get(name));
    }
    return q.quantifier() == Quantifier.ALL ? Combinators.all(operands) : Combinators.any(operands);
  }

  private static List<FieldMatcher> buildAll(
      List<ConditionNode> nodes, Map<String, FieldMatcher> searches) {
    List<FieldMatcher> out = new ArrayList<>(nodes.size());
    for (ConditionNode n : nodes) {
      out.add(build(n, searches));
    }
    return out;
  }
}
