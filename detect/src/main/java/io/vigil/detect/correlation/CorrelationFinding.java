package io.vigil.detect.correlation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A correlation fired. {@code ruleId} is the correlation's id (or name, or origin: see {@link
 * CorrelationRule#idOf}); {@code level} is null when the rule gives none; {@code group} maps each
 * group-by name to this group's value, in group-by order; {@code aggregate} says what held ({@code
 * event_count 10 >= 10 within 10m}); {@code standalone} is false when the correlation only feeds
 * another correlation; {@code anchor} is the input at which the condition started to hold, {@code
 * members} the other inputs of the window (time order, at most {@value
 * CorrelationEngine#MAX_MEMBERS}, the latest kept); {@code firstTimeNs} is the window's earliest
 * input time, {@code lastTimeNs} the anchor's. Immutable.
 */
public record CorrelationFinding(
    String ruleId,
    String title,
    String level,
    List<String> tags,
    String origin,
    String type,
    Map<String, String> group,
    String aggregate,
    boolean standalone,
    CorrelationInput anchor,
    List<CorrelationInput> members,
    long firstTimeNs,
    long lastTimeNs) {
  public CorrelationFinding {
    tags = List.copyOf(tags);
    group = Collections.unmodifiableMap(new LinkedHashMap<>(group));
    members = List.copyOf(members);
  }
}
