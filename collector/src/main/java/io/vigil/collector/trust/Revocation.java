package io.vigil.collector.trust;

import java.time.Instant;

/** That an agent was revoked: when, by whom and why. */
public record Revocation(Instant at, String by, String reason) {
  /** The refusal text towards the agent and in the log. */
  public String describe(String agentId) {
    return "agent " + agentId + " is revoked since " + at + " by " + by + ": " + reason;
  }
}
