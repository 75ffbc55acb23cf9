package io.vigil.detect.sigma.rule;

import java.util.List;

/**
 * A loaded Sigma detection rule, immutable and thread-safe. Optional scalars are {@code null} when
 * the rule leaves them out; optional lists are empty. {@code origin} names where it was loaded from
 * (a file path) for messages. {@code name} is the rule's optional unique name, by which correlation
 * rules may refer to it.
 */
public record SigmaRule(
    String origin,
    String id,
    String name,
    String title,
    String status,
    String level,
    String description,
    String author,
    List<String> references,
    List<String> tags,
    LogSource logsource,
    List<String> falsepositives,
    List<String> fields,
    Detection detection) {
  public SigmaRule {
    references = List.copyOf(references);
    tags = List.copyOf(tags);
    falsepositives = List.copyOf(falsepositives);
    fields = List.copyOf(fields);
  }
}
