package io.vigil.collector.sink;

import java.util.List;
import java.util.Objects;

/**
 * One alert as the sinks deliver it: the fields a destination's format needs, and the whole alert
 * as the JSON object the JSON-lines alert output writes. Every text is attacker-influenced (rule
 * titles from rule files, host names and matched values from hosts): senders escape it for their
 * format. Immutable.
 *
 * @param id the alert's id in the store (what a sink's cursor counts)
 * @param agentId the agent, or {@code collector} for the collector's own alerts
 * @param hostname the host name shown for the agent (its id when it never gave one)
 * @param source {@code sigma}, {@code correlation}, {@code intel}, {@code fim}, {@code health}, ...
 * @param ruleId the rule id (built-in ones start with {@code vigil-})
 * @param title the rule's title
 * @param level {@code informational}, {@code low}, {@code medium}, {@code high}, {@code critical},
 *     or null when the rule gives none
 * @param tags the rule's tags, e.g. {@code attack.t1059}
 * @param eventTimeNs event time of the event it was raised on (first match), UTC ns
 * @param storedNs when the collector stored it, UTC ns
 * @param json the alert as one JSON object (the JSON-lines alert output's line, without newline)
 */
public record SinkAlert(
    long id,
    String agentId,
    String hostname,
    String source,
    String ruleId,
    String title,
    String level,
    List<String> tags,
    long eventTimeNs,
    long storedNs,
    String json) {
  public SinkAlert {
    Objects.requireNonNull(agentId);
    Objects.requireNonNull(hostname);
    Objects.requireNonNull(source);
    Objects.requireNonNull(ruleId);
    Objects.requireNonNull(title);
    tags = List.copyOf(tags);
    Objects.requireNonNull(json);
  }
}
