package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.match.FieldMatchers;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Binds the rule compiler to the specification's value modifiers ({@link FieldMatchers}): a field
 * item becomes a field matcher, a keyword list or a keyword item with modifiers ({@code |all})
 * becomes a keyword search. Errors carry the item's path in the rule. Immutable; thread-safe.
 */
public final class SigmaItemCompiler implements SelectionItemCompiler {
  private final Map<String, List<String>> placeholders;

  /** Rules using {@code expand} fail to compile: no placeholder values are configured. */
  public SigmaItemCompiler() {
    this(Map.of());
  }

  /** {@code placeholders}: values of {@code %name%} for the {@code expand} modifier. */
  public SigmaItemCompiler(Map<String, List<String>> placeholders) {
    this.placeholders = Map.copyOf(placeholders);
  }

  @Override
  public FieldMatcher field(String fieldSpec, List<Object> values, String where)
      throws SigmaRuleException {
    try {
      if (fieldSpec.startsWith("|")) {
        List<String> modifiers = Arrays.asList(fieldSpec.substring(1).split("\\|", -1));
        return FieldMatchers.keywords(values, modifiers);
      }
      return FieldMatchers.compile(fieldSpec, values, placeholders);
    } catch (SigmaRuleException e) {
      throw located(e, where);
    }
  }

  @Override
  public FieldMatcher keywords(List<Object> values, String where) throws SigmaRuleException {
    try {
      return FieldMatchers.keywords(values, List.of());
    } catch (SigmaRuleException e) {
      throw located(e, where);
    }
  }

  /** The matcher names only the field spec; the rule path says where in the file it is. */
  private static SigmaRuleException located(SigmaRuleException e, String where) {
    String message = e.getMessage();
    if (!e.where().isEmpty() && message.startsWith(e.where() + ": ")) {
      message = message.substring(e.where().length() + 2);
    }
    return new SigmaRuleException(where, message);
  }
}
