package io.vigil.detect.sigma.rule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One named search of a rule's {@code detection}, in one of the three shapes the specification
 * allows. Values are kept as YAML gave them ({@code String}, {@code Long}, {@code Double}, {@code
 * Boolean}, or {@code null}); their meaning depends on the field's modifiers and is decided when
 * the rule is compiled.
 */
public sealed interface SearchIdentifier {

  /**
   * A map: every item must match (AND). An item whose field spec starts with {@code |} (for example
   * {@code '|all'}) is a keyword search with modifiers.
   */
  record FieldSelection(List<FieldItem> items) implements SearchIdentifier {
    public FieldSelection {
      items = List.copyOf(items);
    }
  }

  /** A list of maps: any of them matches (OR). */
  record SelectionList(List<FieldSelection> alternatives) implements SearchIdentifier {
    public SelectionList {
      alternatives = List.copyOf(alternatives);
    }
  }

  /** A list of plain values searched for in the whole event: any of them matches (OR). */
  record Keywords(List<Object> values) implements SearchIdentifier {
    public Keywords {
      values = copyAllowingNull(values);
    }
  }

  /**
   * One map entry: the field with its modifiers ({@code Image|endswith}) and its values (a scalar
   * becomes a one-element list; several values are OR-ed unless a modifier says otherwise).
   */
  record FieldItem(String fieldSpec, List<Object> values) {
    public FieldItem {
      values = copyAllowingNull(values);
    }

    /** The field name: {@code Image} for {@code Image|endswith}; empty for {@code |all}. */
    public String fieldName() {
      int bar = fieldSpec.indexOf('|');
      return bar < 0 ? fieldSpec : fieldSpec.substring(0, bar);
    }

    /** The modifiers as written, in order: {@code [contains, all]} for {@code x|contains|all}. */
    public List<String> modifiers() {
      int bar = fieldSpec.indexOf('|');
      return bar < 0 ? List.of() : List.of(fieldSpec.substring(bar + 1).split("\\|", -1));
    }
  }

  /** {@code null} is a legal Sigma value, which {@link List#copyOf} rejects. */
  private static List<Object> copyAllowingNull(List<Object> values) {
    return Collections.unmodifiableList(new ArrayList<>(values));
  }
}
