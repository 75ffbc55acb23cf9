package io.vigil.detect.agreement;

import java.util.List;
import java.util.Set;

/**
 * One SigmaHQ rule, pinned by file name (under {@code sigma/rules/linux/process_creation}) and
 * {@code id}, with the cases written from its text.
 */
record RuleCases(String file, String id, List<Case> cases) {

  static RuleCases rule(String file, String id, Case... cases) {
    return new RuleCases(file, id, List.of(cases));
  }

  /**
   * One event and what the rule text says about it: {@code matchedFields} is null when the rule
   * must not match, else the fields the finding must name (exactly).
   */
  record Case(String exercises, Exec event, Set<String> matchedFields) {
    boolean mustMatch() {
      return matchedFields != null;
    }
  }

  /** The rule must match {@code event}, and its finding must name exactly {@code fields}. */
  static Case hit(String exercises, Exec event, String... fields) {
    return new Case(exercises, event, Set.of(fields));
  }

  /** The rule must not match {@code event}. */
  static Case miss(String exercises, Exec event) {
    return new Case(exercises, event, null);
  }
}
