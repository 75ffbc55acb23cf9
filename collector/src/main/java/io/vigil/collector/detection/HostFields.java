package io.vigil.collector.detection;

import java.util.HashMap;
import java.util.Map;

/**
 * The host-level fields an event does not carry itself but rules may group or filter by: Vigil
 * events say nothing about the machine they come from, the stream does. The names are the ones
 * Sigma rules use for the host across taxonomies.
 */
final class HostFields {
  private HostFields() {}

  static Map<String, String> of(String agentId, String hostname) {
    Map<String, String> m = new HashMap<>();
    String host = hostname == null || hostname.isEmpty() ? agentId : hostname;
    m.put("ComputerName", host);
    m.put("Computer", host);
    m.put("Hostname", host);
    m.put("host.name", host);
    m.put("agent_id", agentId);
    return m;
  }
}
