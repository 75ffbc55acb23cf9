package io.vigil.collector.detection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host name each connected agent last gave in its Hello, for detection: rules and allow-list
 * entries name hosts, events do not carry theirs. Thread-safe.
 */
public final class AgentHostnames {
  private final Map<String, String> byAgent = new ConcurrentHashMap<>();

  public void put(String agentId, String hostname) {
    if (hostname != null && !hostname.isEmpty()) {
      byAgent.put(agentId, hostname);
    }
  }

  /** The agent's host name, or null when it never gave one. */
  public String get(String agentId) {
    return byAgent.get(agentId);
  }
}
