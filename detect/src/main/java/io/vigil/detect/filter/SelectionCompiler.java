package io.vigil.detect.filter;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.rule.DetectionReader;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.detect.sigma.rule.SigmaRule;
import java.util.List;
import java.util.Map;

/**
 * Compiles a filter's or an allow-list entry's searches as a Sigma rule: the same reader and
 * compiler as rules, so every modifier, wildcard and condition means exactly what it means in a
 * rule. Errors name the place in the filter or allow-list file, not in the synthetic rule.
 * Stateless and thread-safe.
 */
final class SelectionCompiler {
  private static final String DETECTION = "detection";

  private SelectionCompiler() {}

  /**
   * {@code searches}: search identifiers and {@code condition}, as a rule's {@code detection} holds
   * them; {@code path}: where they sit in the file ({@code filter}, {@code entries[2].match}), put
   * in place of {@code detection} in error paths.
   */
  static CompiledRule compile(
      String origin,
      String id,
      String title,
      LogSource logsource,
      Map<String, Object> searches,
      String path)
      throws SigmaRuleException {
    try {
      SigmaRule rule =
          new SigmaRule(
              origin,
              id,
              null,
              title,
              null,
              null,
              null,
              null,
              List.of(),
              List.of(),
              logsource,
              List.of(),
              List.of(),
              DetectionReader.read(searches));
      return RuleCompiler.compile(rule, new SigmaItemCompiler());
    } catch (SigmaRuleException e) {
      throw relocated(e, path);
    }
  }

  /** {@code e} with its path moved from the synthetic rule's {@code detection} to {@code path}. */
  static SigmaRuleException relocated(SigmaRuleException e, String path) {
    String where = e.where();
    if (!where.equals(DETECTION) && !where.startsWith(DETECTION + ".")) {
      return e;
    }
    String message = e.getMessage();
    if (message.startsWith(where + ": ")) {
      message = message.substring(where.length() + 2);
    }
    return new SigmaRuleException(path + where.substring(DETECTION.length()), message);
  }
}
