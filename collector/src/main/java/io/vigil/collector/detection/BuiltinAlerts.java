package io.vigil.collector.detection;

import io.vigil.collector.store.NewAlert;
import java.util.List;
import java.util.Map;

/**
 * Builds the alerts of one of the collector's built-in sources (the integrity mirror, fleet
 * health): one place for how such an alert is shaped, so that their suppression keys cannot drift
 * apart. Immutable.
 */
public final class BuiltinAlerts {
  private final String source;
  private final String origin;

  /**
   * @param source the alerts' {@link NewAlert#source()}, e.g. {@code fim}
   * @param origin their {@link NewAlert#ruleOrigin()}, e.g. {@code builtin:fim}
   */
  public BuiltinAlerts(String source, String origin) {
    this.source = source;
    this.origin = origin;
  }

  /**
   * The suppression key of an alert of {@code ruleId} on {@code agentId} about {@code subject}
   * (empty when the rule has one alert per host).
   */
  public String dedupeKey(String agentId, String ruleId, String subject) {
    return agentId + '\0' + source + '\0' + ruleId + '\0' + subject;
  }

  /**
   * An alert of {@code ruleId} on {@code agentId}, folded into earlier ones about {@code subject}.
   */
  public NewAlert alert(
      String agentId,
      String ruleId,
      String title,
      String level,
      List<String> tags,
      Map<String, List<String>> fields,
      String subject) {
    return new NewAlert(
        source,
        ruleId,
        title,
        level,
        AlertJson.tags(tags),
        AlertJson.matchedFields(fields),
        origin,
        dedupeKey(agentId, ruleId, subject),
        null,
        null,
        List.of());
  }
}
