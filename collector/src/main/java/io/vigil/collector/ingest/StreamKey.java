package io.vigil.collector.ingest;

import io.vigil.collector.health.HealthAlerts;
import java.util.regex.Pattern;

/** One agent spool stream. Both parts are checked to be short identifiers, safe in logs. */
record StreamKey(String agentId, String epoch) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  StreamKey {
    requireId("agent id", agentId);
    requireId("stream epoch", epoch);
  }

  static void requireId(String what, String value) {
    if (value == null || !ID.matcher(value).matches()) {
      throw new IllegalArgumentException(
          what + " must be 1-128 characters of [A-Za-z0-9._:-] (a UUID, say)");
    }
  }

  /**
   * An agent id an agent may use: a short identifier, and not {@value HealthAlerts#COLLECTOR}, the
   * collector's own pseudo stream (its alerts about itself).
   */
  static void requireAgentId(String agentId) {
    requireId("agent id", agentId);
    if (HealthAlerts.COLLECTOR.equals(agentId)) {
      throw new IllegalArgumentException(
          "agent id \"" + HealthAlerts.COLLECTOR + "\" is reserved for the collector's own alerts");
    }
  }

  @Override
  public String toString() {
    return "agent " + agentId + " epoch " + epoch;
  }
}
