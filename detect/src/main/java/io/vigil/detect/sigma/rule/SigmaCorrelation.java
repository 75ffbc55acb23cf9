package io.vigil.detect.sigma.rule;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded Sigma correlation rule (Sigma correlation specification 2.1), checked for shape but not
 * resolved: {@code rules} are the references as written (ids or names of other rules). Optional
 * scalars are {@code null} when left out. {@code groupBy} is empty when the rule has none (one
 * group for everything); {@code condition} maps each operator ({@code gt gte lt lte eq neq}) to its
 * threshold, in the order written, and is empty for a temporal correlation without a condition;
 * {@code fields} are the {@code condition.field} names (a list is a tuple); {@code aliases} maps an
 * alias to (rule name to field). {@code document} is the 0-based position in its file. Immutable.
 */
public record SigmaCorrelation(
    String origin,
    int document,
    String id,
    String name,
    String title,
    String status,
    String level,
    String description,
    List<String> tags,
    List<String> falsepositives,
    String type,
    List<String> rules,
    List<String> groupBy,
    Duration timespan,
    String timespanText,
    Map<String, Double> condition,
    List<String> fields,
    Map<String, Map<String, String>> aliases,
    boolean generate) {

  /** The correlation types of the specification, all of which Vigil evaluates. */
  public static final List<String> TYPES =
      List.of(
          "event_count",
          "value_count",
          "temporal",
          "temporal_ordered",
          "value_sum",
          "value_avg",
          "value_percentile");

  public SigmaCorrelation {
    tags = List.copyOf(tags);
    falsepositives = List.copyOf(falsepositives);
    rules = List.copyOf(rules);
    groupBy = List.copyOf(groupBy);
    fields = List.copyOf(fields);
    // Ordered copies: messages and aggregates read in the order the rule was written.
    condition = Collections.unmodifiableMap(new LinkedHashMap<>(condition));
    Map<String, Map<String, String>> a = new LinkedHashMap<>();
    aliases.forEach((k, v) -> a.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    aliases = Collections.unmodifiableMap(a);
  }

  /** Whether the type aggregates the values of {@code condition.field}. */
  public boolean usesField() {
    return type.startsWith("value_");
  }

  /** Whether the type is {@code temporal} or {@code temporal_ordered}. */
  public boolean temporal() {
    return type.startsWith("temporal");
  }
}
