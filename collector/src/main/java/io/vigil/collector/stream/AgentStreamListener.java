package io.vigil.collector.stream;

import io.vigil.proto.v1.CommandResult;
import java.util.List;

/**
 * Told when an agent's stream is accepted and when its command results are stored: what the command
 * queue needs to deliver waiting commands and to close finished ones. Called on gRPC and ingest
 * writer threads, so an implementation must return at once (hand the work to its own thread) and
 * must not throw.
 */
public interface AgentStreamListener {
  /** Does nothing. */
  AgentStreamListener NONE =
      new AgentStreamListener() {
        @Override
        public void connected(String agentId) {}

        @Override
        public void resultsStored(String agentId, List<CommandResult> results) {}
      };

  /** The agent's stream was accepted and its Welcome sent: commands may go down it now. */
  void connected(String agentId);

  /**
   * The agent's command results were committed to the store ({@code command_results}); a result it
   * sent before is among them again when the agent re-sent it.
   */
  void resultsStored(String agentId, List<CommandResult> results);
}
