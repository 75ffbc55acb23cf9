package io.vigil.detect.sigma.rule;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.Map;

/**
 * The rule's {@code logsource}: which events it is written for. Each part is {@code null} when the
 * rule leaves it out; {@code definition} and custom keys are prose for humans and not kept.
 */
public record LogSource(String product, String category, String service) {

  /** The required {@code logsource} of a rule or filter document. */
  public static LogSource read(Map<String, Object> doc) throws SigmaRuleException {
    if (!doc.containsKey("logsource")) {
      throw new SigmaRuleException("logsource", "missing");
    }
    Map<String, Object> ls = YamlValues.map(doc.get("logsource"), "logsource");
    return new LogSource(
        YamlValues.optionalText(ls, "product", "logsource"),
        YamlValues.optionalText(ls, "category", "logsource"),
        YamlValues.optionalText(ls, "service", "logsource"));
  }
}
