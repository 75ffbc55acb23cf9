package io.vigil.collector.store;

/**
 * One agent's integrity-mirror bookkeeping (its {@code fim_agents} row). Immutable.
 *
 * @param baselineId the baseline the mirror holds; null when the collector has no mirror
 * @param entries the mirror's rows
 * @param digest FimDigest of the mirror; null when a change made it stale
 * @param following whether the mirror is the agent's baseline as its events tell it (false: the
 *     collector knows it stopped being one, its rows are kept as evidence)
 * @param unverifiedId the baseline id "cannot verify" was last raised for, null if none
 * @param stagingId the baseline whose parts are in the staging table, null if none
 * @param stagingReason that baseline's reason
 * @param stagingParts its part count
 * @param stagingLastPart the last part staged
 * @param stagingEntries the paths staged
 * @param stagingRefused whether it was refused for its size (its further parts are ignored)
 * @param updatedNs when the row last changed (collector clock)
 */
public record FimAgentRow(
    String agentId,
    String baselineId,
    long entries,
    String digest,
    boolean following,
    String unverifiedId,
    String stagingId,
    String stagingReason,
    long stagingParts,
    long stagingLastPart,
    long stagingEntries,
    boolean stagingRefused,
    long updatedNs) {

  /** An agent the collector has heard nothing of integrity monitoring from. */
  public static FimAgentRow empty(String agentId) {
    return new FimAgentRow(agentId, null, 0, null, false, null, null, null, 0, 0, 0, false, 0);
  }
}
