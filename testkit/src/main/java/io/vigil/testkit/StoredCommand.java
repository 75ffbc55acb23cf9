package io.vigil.testkit;

import io.vigil.proto.v1.CommandResult;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A command as the collector's store holds it (table {@code commands}) with the agent's result
 * (table {@code command_results}) when one arrived. Immutable.
 *
 * @param commandId the collector's id of the command
 * @param agentId the agent it is for
 * @param action ping, isolate, release, kill, quarantine, restore, block, unblock, collect_file or
 *     snapshot
 * @param status queued, sent, done or expired
 * @param issuedNs when the collector accepted it, collector time
 * @param receivedNs when the collector received the result, collector time; empty without one
 * @param result the result the agent reported; empty without one
 */
public record StoredCommand(
    String commandId,
    String agentId,
    String action,
    String status,
    long issuedNs,
    OptionalLong receivedNs,
    Optional<CommandResult> result) {

  /** Issue to result, in ms of collector time; empty while there is no result. */
  public OptionalLong issueToResultMs() {
    return receivedNs.isPresent()
        ? OptionalLong.of((receivedNs.getAsLong() - issuedNs) / 1_000_000)
        : OptionalLong.empty();
  }
}
