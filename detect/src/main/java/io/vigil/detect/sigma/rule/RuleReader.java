package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.Map;
import java.util.Set;

/** Reads one loaded YAML document into a {@link SigmaRule}. Stateless. */
final class RuleReader {
  static final Set<String> LEVELS = Set.of("informational", "low", "medium", "high", "critical");
  static final Set<String> STATUSES =
      Set.of("stable", "test", "experimental", "deprecated", "unsupported");

  /** Why a filter document is refused where rules are loaded. */
  static final String FILTER_MESSAGE = "a Sigma filter; load it from detection.filter_dirs";

  private RuleReader() {}

  static SigmaRule read(Object document, String origin) throws SigmaRuleException {
    Map<String, Object> doc = YamlValues.map(document, "");
    if (doc.containsKey("correlation")) {
      throw new SigmaRuleException(
          "correlation", "a correlation rule; load the file with SigmaRuleLoader.loadAll");
    }
    if (doc.containsKey("filter") && !doc.containsKey("detection")) {
      throw new SigmaRuleException("filter", FILTER_MESSAGE);
    }
    if (doc.containsKey("action")) {
      throw new SigmaRuleException(
          "action", "rule collections (action: global/reset/repeat) are not supported");
    }
    String title = YamlValues.requiredText(doc, "title", "");
    String level = oneOf(YamlValues.optionalText(doc, "level", ""), LEVELS, "level");
    String status = oneOf(YamlValues.optionalText(doc, "status", ""), STATUSES, "status");
    LogSource logsource = LogSource.read(doc);
    if (!doc.containsKey("detection")) {
      throw new SigmaRuleException("detection", "missing");
    }
    return new SigmaRule(
        origin,
        YamlValues.optionalText(doc, "id", ""),
        YamlValues.optionalText(doc, "name", ""),
        title,
        status,
        level,
        YamlValues.optionalText(doc, "description", ""),
        YamlValues.optionalText(doc, "author", ""),
        YamlValues.textList(doc, "references", ""),
        YamlValues.textList(doc, "tags", ""),
        logsource,
        YamlValues.textList(doc, "falsepositives", ""),
        YamlValues.textList(doc, "fields", ""),
        DetectionReader.read(doc.get("detection")));
  }

  static String oneOf(String value, Set<String> allowed, String path) throws SigmaRuleException {
    if (value != null && !allowed.contains(value)) {
      throw new SigmaRuleException(
          path, "'" + value + "' is not one of " + new java.util.TreeSet<>(allowed));
    }
    return value;
  }
}
