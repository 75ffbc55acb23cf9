package io.vigil.collector.trust;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revoked agents, in memory: loaded from the store at start and updated by every revocation, so
 * that the check on every stream message does not touch SQLite. Thread-safe.
 */
final class RevokedAgents {
  private final Map<String, Revocation> byAgent = new ConcurrentHashMap<>();

  Optional<Revocation> get(String agentId) {
    return Optional.ofNullable(byAgent.get(agentId));
  }

  void put(String agentId, Revocation r) {
    byAgent.putIfAbsent(agentId, r);
  }
}
