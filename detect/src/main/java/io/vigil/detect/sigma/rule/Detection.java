package io.vigil.detect.sigma.rule;

import java.util.List;
import java.util.Map;

/**
 * The rule's {@code detection}: its search identifiers in file order and its condition strings
 * (several conditions are OR-ed, as the specification says). Immutable.
 */
public record Detection(Map<String, SearchIdentifier> searches, List<String> conditions) {
  public Detection {
    searches = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(searches));
    conditions = List.copyOf(conditions);
  }
}
