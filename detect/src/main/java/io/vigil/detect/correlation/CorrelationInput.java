package io.vigil.detect.correlation;

import java.util.Map;
import java.util.Objects;

/**
 * One finding of a rule a correlation refers to, as the correlation engine sees it: the rule's id,
 * the source (agent id) whose event it was, the event's time, its stream and sequence number (a
 * total order among inputs of equal time), and the values of the fields the correlations need (see
 * {@link CorrelationEngine#fieldsFor}). Values are attacker-controlled. Immutable.
 */
public record CorrelationInput(
    String ruleId,
    String source,
    long eventTimeNs,
    long streamId,
    long seq,
    Map<String, String> fields) {
  public CorrelationInput {
    Objects.requireNonNull(ruleId);
    Objects.requireNonNull(source);
    fields = fields == null ? Map.of() : Map.copyOf(fields);
  }

  /** Event time, then stream, then sequence: the order inputs are evaluated in. */
  static int compare(CorrelationInput a, CorrelationInput b) {
    int c = Long.compare(a.eventTimeNs, b.eventTimeNs);
    if (c == 0) {
      c = Long.compare(a.streamId, b.streamId);
    }
    if (c == 0) {
      c = Long.compare(a.seq, b.seq);
    }
    if (c == 0) {
      c = a.ruleId.compareTo(b.ruleId);
    }
    return c;
  }
}
