package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one loaded YAML document holding {@code correlation:} into a {@link SigmaCorrelation},
 * checking what the specification and its schema require, each failure naming its path. Stateless.
 */
final class CorrelationReader {
  private static final Pattern TIMESPAN = Pattern.compile("([0-9]{1,9})([smhd])");
  private static final Set<String> OPERATORS = Set.of("gt", "gte", "lt", "lte", "eq", "neq");

  /** A year of event time: far above any real correlation, and no overflow in nanoseconds. */
  static final Duration MAX_TIMESPAN = Duration.ofDays(366);

  /** Bounds on lists an untrusted rule can make long. */
  static final int MAX_RULES = 64;

  static final int MAX_GROUP_BY = 16;

  private CorrelationReader() {}

  static SigmaCorrelation read(Map<String, Object> doc, String origin, int document)
      throws SigmaRuleException {
    String title = YamlValues.requiredText(doc, "title", "");
    String level =
        RuleReader.oneOf(YamlValues.optionalText(doc, "level", ""), RuleReader.LEVELS, "level");
    String status =
        RuleReader.oneOf(YamlValues.optionalText(doc, "status", ""), RuleReader.STATUSES, "status");
    Map<String, Object> c = YamlValues.map(doc.get("correlation"), "correlation");
    for (String key : c.keySet()) {
      if (!Set.of("type", "rules", "aliases", "group-by", "timespan", "condition", "generate")
          .contains(key)) {
        throw new SigmaRuleException("correlation." + key, "not a correlation attribute");
      }
    }
    String type = YamlValues.requiredText(c, "type", "correlation");
    if (!SigmaCorrelation.TYPES.contains(type)) {
      throw new SigmaRuleException(
          "correlation.type", "'" + type + "' is not one of " + SigmaCorrelation.TYPES);
    }
    List<String> rules = YamlValues.textList(c, "rules", "correlation");
    if (rules.isEmpty()) {
      throw new SigmaRuleException("correlation.rules", "missing or empty");
    }
    bounded(rules, MAX_RULES, "correlation.rules");
    List<String> groupBy = YamlValues.textList(c, "group-by", "correlation");
    bounded(groupBy, MAX_GROUP_BY, "correlation.group-by");
    String timespanText = YamlValues.requiredText(c, "timespan", "correlation");
    Duration timespan = timespan(timespanText);
    Map<String, Double> condition = new LinkedHashMap<>();
    List<String> fields = new ArrayList<>();
    if (c.get("condition") != null) {
      Map<String, Object> cond = YamlValues.map(c.get("condition"), "correlation.condition");
      for (Map.Entry<String, Object> e : cond.entrySet()) {
        String where = "correlation.condition." + e.getKey();
        if (e.getKey().equals("field")) {
          fields.addAll(YamlValues.textList(cond, "field", "correlation.condition"));
          bounded(fields, MAX_GROUP_BY, where);
          if (fields.isEmpty() || fields.stream().anyMatch(String::isBlank)) {
            throw new SigmaRuleException(where, "must name a field");
          }
        } else if (OPERATORS.contains(e.getKey())) {
          condition.put(e.getKey(), number(e.getValue(), where));
        } else {
          throw new SigmaRuleException(
              where, "not a condition operator (gt, gte, lt, lte, eq, neq, field)");
        }
      }
    } else if (c.containsKey("condition")) {
      throw new SigmaRuleException("correlation.condition", "is empty");
    }
    boolean temporal = type.startsWith("temporal");
    if (!temporal && condition.isEmpty()) {
      throw new SigmaRuleException(
          "correlation.condition", type + " needs a condition (gt, gte, lt, lte, eq or neq)");
    }
    if (type.startsWith("value_") && fields.isEmpty()) {
      throw new SigmaRuleException(
          "correlation.condition.field", type + " needs the field whose values it aggregates");
    }
    if (!type.startsWith("value_") && !fields.isEmpty()) {
      throw new SigmaRuleException(
          "correlation.condition.field", type + " does not aggregate a field's values");
    }
    if (temporal && !fields.isEmpty()) {
      throw new SigmaRuleException("correlation.condition.field", "unused by " + type);
    }
    Map<String, Map<String, String>> aliases = new LinkedHashMap<>();
    if (c.get("aliases") != null) {
      Map<String, Object> a = YamlValues.map(c.get("aliases"), "correlation.aliases");
      for (Map.Entry<String, Object> e : a.entrySet()) {
        String where = "correlation.aliases." + e.getKey();
        Map<String, Object> byRule = YamlValues.map(e.getValue(), where);
        Map<String, String> out = new LinkedHashMap<>();
        for (String rule : byRule.keySet()) {
          out.put(rule, YamlValues.requiredText(byRule, rule, where));
        }
        aliases.put(e.getKey(), out);
      }
    }
    boolean generate = false;
    // The schema puts it at the top level; pySigma reads it inside correlation. Accept both.
    Object g = doc.containsKey("generate") ? doc.get("generate") : c.get("generate");
    if (g != null) {
      if (!(g instanceof Boolean b)) {
        throw new SigmaRuleException("generate", "must be true or false");
      }
      generate = b;
    }
    return new SigmaCorrelation(
        origin,
        document,
        YamlValues.optionalText(doc, "id", ""),
        YamlValues.optionalText(doc, "name", ""),
        title,
        status,
        level,
        YamlValues.optionalText(doc, "description", ""),
        YamlValues.textList(doc, "tags", ""),
        YamlValues.textList(doc, "falsepositives", ""),
        type,
        rules,
        groupBy,
        timespan,
        timespanText,
        condition,
        fields,
        aliases,
        generate);
  }

  private static void bounded(List<String> list, int max, String where) throws SigmaRuleException {
    if (list.size() > max) {
      throw new SigmaRuleException(where, "more than " + max + " entries");
    }
    if (new HashSet<>(list).size() != list.size()) {
      throw new SigmaRuleException(where, "lists an entry twice");
    }
  }

  /** {@code Ns}, {@code Nm}, {@code Nh} or {@code Nd}, above zero and at most a year. */
  static Duration timespan(String text) throws SigmaRuleException {
    Matcher m = TIMESPAN.matcher(text);
    if (!m.matches()) {
      throw new SigmaRuleException(
          "correlation.timespan", "'" + text + "' is not a number followed by s, m, h or d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    if (d.isZero() || d.compareTo(MAX_TIMESPAN) > 0) {
      throw new SigmaRuleException(
          "correlation.timespan", "'" + text + "' must be above zero and at most 366d");
    }
    return d;
  }

  private static double number(Object value, String where) throws SigmaRuleException {
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger || value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        return d;
      }
    }
    throw new SigmaRuleException(where, "must be a number, found " + YamlValues.describe(value));
  }
}
