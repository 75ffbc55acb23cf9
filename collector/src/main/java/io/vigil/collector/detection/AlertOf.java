package io.vigil.collector.detection;

import io.vigil.collector.store.NewAlert;
import io.vigil.common.text.JsonStrings;
import io.vigil.detect.correlation.CorrelationFinding;
import io.vigil.detect.correlation.CorrelationInput;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.intel.Indicator;
import io.vigil.detect.intel.IntelHit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The alert each kind of match becomes, with its suppression key: what "the same alert again"
 * means. Two matches are identical when they come from the same agent, the same rule (or indicator,
 * or correlation group) and, for Sigma rules, the same values of the fields that made the rule
 * match: a thousand runs of one command fold into one alert with a count, a different command line
 * raises its own.
 */
final class AlertOf {
  /** Level of a threat-intel hit: a known-bad indicator seen on a host is worth a look today. */
  static final String INTEL_LEVEL = "high";

  private AlertOf() {}

  static NewAlert finding(String agentId, Finding f) {
    String matched = AlertJson.matchedFields(f.matchedFields());
    return new NewAlert(
        "sigma",
        f.ruleId(),
        f.title(),
        f.level(),
        AlertJson.tags(f.tags()),
        matched,
        f.ruleOrigin(),
        key(agentId, "sigma", f.ruleId(), matched),
        null,
        null,
        List.of());
  }

  /** {@code intel:<type>:<value>}: one "rule" per indicator, so dedupe and allow-lists name it. */
  static String intelRuleId(IntelHit hit) {
    Indicator i = hit.indicator();
    return "intel:" + i.type().name().toLowerCase(Locale.ROOT) + ":" + i.value();
  }

  static NewAlert intel(String agentId, IntelHit hit) {
    Indicator i = hit.indicator();
    String type = i.type().name().toLowerCase(Locale.ROOT);
    String ruleId = intelRuleId(hit);
    List<String> tags = new ArrayList<>();
    tags.add("intel." + type);
    tags.addAll(i.labels());
    return new NewAlert(
        "intel",
        ruleId,
        "Threat intel: " + type + " " + i.value() + sourceNameSuffix(i),
        INTEL_LEVEL,
        AlertJson.tags(tags),
        AlertJson.matchedFields(Map.of(hit.field(), List.of(hit.value()))),
        i.source(),
        key(agentId, "intel", ruleId, hit.field()),
        indicatorJson(i),
        null,
        List.of());
  }

  static NewAlert correlation(CorrelationFinding c) {
    String group = AlertJson.object(c.group());
    return new NewAlert(
        "correlation",
        c.ruleId(),
        c.title(),
        c.level(),
        AlertJson.tags(c.tags()),
        AlertJson.matchedFields(Map.of("correlation", List.of(c.aggregate()))),
        c.origin(),
        key(c.anchor().source(), "correlation", c.ruleId(), group),
        null,
        group,
        members(c));
  }

  /** The events of a correlation besides its anchor, as stored-event references. */
  static List<NewAlert.Member> members(CorrelationFinding c) {
    List<NewAlert.Member> out = new ArrayList<>(c.members().size());
    for (CorrelationInput in : c.members()) {
      out.add(new NewAlert.Member(in.streamId(), in.seq(), in.eventTimeNs()));
    }
    return out;
  }

  private static String sourceNameSuffix(Indicator i) {
    return i.sourceName() == null || i.sourceName().isEmpty() ? "" : " (" + i.sourceName() + ")";
  }

  static String indicatorJson(Indicator i) {
    StringBuilder b = new StringBuilder("{");
    field(b, "type", i.type().name().toLowerCase(Locale.ROOT), true);
    field(b, "value", i.value(), false);
    field(b, "source", i.source(), false);
    field(b, "source_name", i.sourceName(), false);
    field(b, "id", i.id(), false);
    field(b, "description", i.description(), false);
    return b.append('}').toString();
  }

  private static void field(StringBuilder b, String name, String value, boolean first) {
    if (!first) {
      b.append(',');
    }
    JsonStrings.quote(name, b);
    b.append(':');
    JsonStrings.quote(value == null ? "" : value, b);
  }

  /** Parts joined by NUL, which no rule id, agent id or JSON text holds unescaped. */
  private static String key(String agentId, String source, String id, String detail) {
    return agentId + '\0' + source + '\0' + id + '\0' + detail;
  }
}
