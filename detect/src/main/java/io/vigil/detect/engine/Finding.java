package io.vigil.detect.engine;

import io.vigil.proto.v1.Event;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rule matched one event. {@code ruleId} is the rule's {@code id} (or its file when the rule
 * has none); {@code level} is null when the rule gives none; {@code matchedFields} maps each Sigma
 * field that made the rule match to the event's values of it, in rule order (see {@link
 * io.vigil.detect.sigma.compile.CompiledRule#matchedFields}). Values come from the event and are
 * attacker-controlled: escape them where they are shown. Immutable.
 */
public record Finding(
    String ruleId,
    String title,
    String level,
    List<String> tags,
    String ruleOrigin,
    Event event,
    Map<String, List<String>> matchedFields) {
  public Finding {
    tags = List.copyOf(tags);
    // Not Map.copyOf: it would lose the rule order the analyst reads the fields in.
    Map<String, List<String>> copy = new LinkedHashMap<>();
    matchedFields.forEach((field, values) -> copy.put(field, List.copyOf(values)));
    matchedFields = Collections.unmodifiableMap(copy);
  }
}
