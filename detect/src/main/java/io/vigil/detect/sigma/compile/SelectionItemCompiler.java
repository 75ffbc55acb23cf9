package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.match.FieldMatcher;
import java.util.List;

/**
 * Turns the leaves of a rule's detection into matchers: the modifier and value semantics live
 * behind this interface, the boolean structure in {@link RuleCompiler}. Implementations must be
 * thread-safe and return thread-safe matchers; they are called once per leaf at compile time.
 */
public interface SelectionItemCompiler {

  /**
   * One map item: {@code fieldSpec} is the key as written ({@code CommandLine|contains|all}); an
   * empty field name ({@code |all}) means a keyword search with modifiers. {@code values} holds
   * {@code String}, {@code Long}, {@code Double}, {@code Boolean} or {@code null} elements, at
   * least one. Errors should name {@code where} (the item's path in the rule).
   */
  FieldMatcher field(String fieldSpec, List<Object> values, String where) throws SigmaRuleException;

  /** A plain keyword list (any value found in any string of the event), at least one value. */
  FieldMatcher keywords(List<Object> values, String where) throws SigmaRuleException;
}
