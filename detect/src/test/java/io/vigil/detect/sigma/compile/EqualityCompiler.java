package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.match.FieldMatcher;
import java.util.List;
import java.util.Objects;

/**
 * A deliberately trivial {@link SelectionItemCompiler} for testing the boolean structure: a field
 * matches when one of its values equals one of the item's values exactly; keywords match a string
 * of the event exactly. {@code |all} on an empty field name requires every keyword. Any other
 * modifier is refused, which also lets tests prove that errors carry the item's path.
 */
final class EqualityCompiler implements SelectionItemCompiler {

  @Override
  public FieldMatcher field(String fieldSpec, List<Object> values, String where)
      throws SigmaRuleException {
    if (fieldSpec.equals("|all")) {
      return event -> values.stream().allMatch(v -> containsString(event, v));
    }
    if (fieldSpec.contains("|")) {
      throw new SigmaRuleException(where, "the test compiler knows no modifiers");
    }
    return event -> {
      for (Object have : event.values(fieldSpec)) {
        for (Object want : values) {
          if (Objects.equals(have, want)) {
            return true;
          }
        }
      }
      return false;
    };
  }

  @Override
  public FieldMatcher keywords(List<Object> values, String where) {
    return event -> values.stream().anyMatch(v -> containsString(event, v));
  }

  private static boolean containsString(io.vigil.detect.sigma.match.SigmaFields event, Object v) {
    for (String s : event.allStrings()) {
      if (s.equals(v)) {
        return true;
      }
    }
    return false;
  }
}
