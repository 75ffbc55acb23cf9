package io.vigil.collector.trust;

import io.vigil.common.text.TerminalText;
import java.time.Instant;

/** That an agent was revoked: when, by whom and why. */
public record Revocation(Instant at, String by, String reason) {
  /**
   * The refusal text towards the agent and in the log. {@code by} and {@code reason} are escaped:
   * new ones cannot hold control characters, but a revocation stored before that check could.
   */
  public String describe(String agentId) {
    return "agent "
        + agentId
        + " is revoked since "
        + at
        + " by "
        + TerminalText.escape(by, CollectorTrust.MAX_TEXT)
        + ": "
        + TerminalText.escape(reason, CollectorTrust.MAX_TEXT);
  }
}
