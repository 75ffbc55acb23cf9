package io.vigil.collector.fim;

import io.vigil.collector.store.FimAgentRow;
import io.vigil.collector.store.FimWrites;

/**
 * One agent's mirror bookkeeping while one event is applied: read from the store, changed, written
 * back in the same transaction. Never kept between events. Writer thread only.
 */
final class MirrorState {
  final String agentId;
  String baselineId;
  long entries;
  String digest;
  boolean following;
  String unverifiedId;
  String stagingId;
  String stagingReason;
  long stagingParts;
  long stagingLastPart;
  long stagingEntries;
  boolean stagingRefused;

  private MirrorState(FimAgentRow r) {
    agentId = r.agentId();
    baselineId = r.baselineId();
    entries = r.entries();
    digest = r.digest();
    following = r.following();
    unverifiedId = r.unverifiedId();
    stagingId = r.stagingId();
    stagingReason = r.stagingReason();
    stagingParts = r.stagingParts();
    stagingLastPart = r.stagingLastPart();
    stagingEntries = r.stagingEntries();
    stagingRefused = r.stagingRefused();
  }

  static MirrorState load(FimWrites store, String agentId) {
    return new MirrorState(store.agent(agentId));
  }

  void save(FimWrites store, long nowNs) {
    store.saveAgent(
        new FimAgentRow(
            agentId,
            baselineId,
            entries,
            digest,
            following,
            unverifiedId,
            stagingId,
            stagingReason,
            stagingParts,
            stagingLastPart,
            stagingEntries,
            stagingRefused,
            nowNs));
  }

  /** The collector holds a mirror (following the agent or kept as evidence). */
  boolean hasMirror() {
    return baselineId != null;
  }

  /** The mirror is the agent's baseline as far as the collector knows: changes can be checked. */
  boolean checked() {
    return baselineId != null && following;
  }

  /** The mirror no longer follows the agent's baseline; its rows stay as evidence. */
  void stopFollowing() {
    following = false;
  }

  /** Forgets the staged baseline (the caller deletes its rows). */
  void unstage() {
    stagingId = null;
    stagingReason = null;
    stagingParts = 0;
    stagingLastPart = 0;
    stagingEntries = 0;
    stagingRefused = false;
  }
}
