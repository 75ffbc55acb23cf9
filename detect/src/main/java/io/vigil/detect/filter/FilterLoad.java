package io.vigil.detect.filter;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of loading filter directories: the filters in force and a verdict for every file seen,
 * in load order, so nothing is dropped silently. Immutable.
 */
public record FilterLoad(FilterSet filters, List<FilterVerdict> verdicts) {
  public FilterLoad {
    verdicts = List.copyOf(verdicts);
  }

  /** Filter files per verdict class, every class present. */
  public Map<FilterVerdict.Kind, Integer> countsByKind() {
    Map<FilterVerdict.Kind, Integer> counts = new EnumMap<>(FilterVerdict.Kind.class);
    for (FilterVerdict.Kind k : FilterVerdict.Kind.values()) {
      counts.put(k, 0);
    }
    verdicts.forEach(v -> counts.merge(v.kind(), 1, Integer::sum));
    return counts;
  }

  /** The verdicts an operator should read: every file not loaded or loaded with a caveat. */
  public List<FilterVerdict> notable() {
    return verdicts.stream()
        .filter(v -> !v.loaded() || v.kind() != FilterVerdict.Kind.LOADED)
        .toList();
  }

  /** {@code N filter files: L in force; loaded A, unfilled fields U, not applicable N, error E}. */
  public String summary() {
    Map<FilterVerdict.Kind, Integer> c = countsByKind();
    return verdicts.size()
        + " filter files: "
        + filters.filters().size()
        + " in force; loaded "
        + c.get(FilterVerdict.Kind.LOADED)
        + ", unfilled fields "
        + c.get(FilterVerdict.Kind.UNFILLED_FIELDS)
        + ", not applicable "
        + c.get(FilterVerdict.Kind.NOT_APPLICABLE)
        + ", error "
        + c.get(FilterVerdict.Kind.ERROR);
  }
}
