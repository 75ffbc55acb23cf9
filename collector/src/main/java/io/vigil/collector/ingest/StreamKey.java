package io.vigil.collector.ingest;

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

  @Override
  public String toString() {
    return "agent " + agentId + " epoch " + epoch;
  }
}
