package io.vigil.collector.fim;

import io.vigil.collector.fim.FimMetrics.Baseline;
import io.vigil.collector.fim.FimMetrics.Ignored;
import io.vigil.collector.store.FimWrites;
import io.vigil.collector.store.NewAlert;
import io.vigil.proto.fim.FimCompare;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives a baseline in parts: stages each part's entries in the store (parts may span batches and
 * transactions), and when the last part has come verifies the staged whole against the digest the
 * agent announced, compares it with the mirror it replaces and replaces it. One baseline per agent
 * is staged at a time: a part of another baseline abandons the one before (the agent sends one
 * baseline at a time, from one thread; it only starts another after a restart). Writer thread only.
 */
final class BaselineStaging {
  /** Longest baseline id, reason or trigger kept; the agent's are short random ids and words. */
  static final int MAX_ID_CHARS = 128;

  private final FimWrites store;
  private final FimOptions options;
  private final FimMetrics metrics;

  BaselineStaging(FimWrites store, FimOptions options, FimMetrics metrics) {
    this.store = store;
    this.options = options;
    this.metrics = metrics;
  }

  void part(MirrorState s, FimBaseline b, List<NewAlert> alerts) {
    String id = b.getBaselineId();
    long part = Integer.toUnsignedLong(b.getPart());
    long parts = Integer.toUnsignedLong(b.getParts());
    if (id.isEmpty() || id.length() > MAX_ID_CHARS || part < 1 || parts < 1 || part > parts) {
      metrics.ignored(Ignored.BAD_PART, 1);
      return;
    }
    if (s.stagingId != null && !s.stagingId.equals(id)) {
      // The agent began another baseline before this one's last part: it restarted and built
      // anew. What was staged will never be completed.
      metrics.baseline(Baseline.ABANDONED);
      unstage(s);
    }
    if (s.stagingId == null) {
      s.stagingId = id;
    } else if (part == 1 && !s.stagingRefused && s.stagingLastPart > 0) {
      // The same baseline from its first part again (sent anew after a restart): start over.
      metrics.baseline(Baseline.RESTARTED);
      store.clearStaging(s.agentId);
      s.stagingEntries = 0;
    }
    if (s.stagingRefused) {
      metrics.ignored(Ignored.REFUSED_BASELINE, b.getEntriesCount());
      return;
    }
    s.stagingReason = bounded(b.getReason());
    s.stagingParts = parts;
    s.stagingLastPart = part;
    if (!stageEntries(s, b, alerts)) {
      return;
    }
    if (part == parts) {
      finish(s, b, alerts);
    }
  }

  /** Returns false when the baseline was refused for its size. */
  private boolean stageEntries(MirrorState s, FimBaseline b, List<NewAlert> alerts) {
    for (int i = 0; i < b.getEntriesCount(); i++) {
      FimEntry e = b.getEntries(i);
      byte[] path = Rows.key(e.getPath());
      byte[] state = e.getState().toByteArray();
      if (path.length == 0 || path.length > options.maxPathBytes()) {
        metrics.ignored(Ignored.BAD_ENTRY, 1); // the digest check will say the baseline differs
        continue;
      }
      if (state.length > options.maxStateBytes()) {
        metrics.ignored(Ignored.BAD_ENTRY, 1);
        continue;
      }
      if (s.stagingEntries >= options.maxEntriesPerAgent()) {
        alerts.add(
            FimAlerts.limit(s.agentId, "baseline_id", s.stagingId, options.maxEntriesPerAgent()));
        metrics.baseline(Baseline.REFUSED);
        metrics.ignored(Ignored.OVER_LIMIT, b.getEntriesCount() - i);
        store.clearStaging(s.agentId);
        s.stagingEntries = 0;
        s.stagingRefused = true;
        s.stopFollowing(); // the agent's baseline is now one the collector does not hold
        return false;
      }
      if (store.stage(s.agentId, s.stagingId, path, state)) {
        s.stagingEntries++;
      } else {
        metrics.ignored(Ignored.DUPLICATE_PATH, 1);
      }
    }
    return true;
  }

  /** The last part is staged: verify, compare, replace. */
  private void finish(MirrorState s, FimBaseline b, List<NewAlert> alerts) {
    String id = s.stagingId;
    String staged = Rows.stagedDigest(store, s.agentId, id);
    metrics.digestComputed();
    if (!staged.equals(b.getDigest())) {
      alerts.add(
          FimAlerts.incomplete(
              s.agentId,
              id,
              s.stagingReason,
              s.stagingLastPart,
              s.stagingParts,
              s.stagingEntries,
              bounded(b.getDigest()),
              staged));
      metrics.baseline(Baseline.INCOMPLETE);
      s.stopFollowing();
      unstage(s);
      return;
    }
    String reason = s.stagingReason;
    if (s.hasMirror() && reason.equals("config")) {
      // A changed scope adds and drops paths, and a changed hash limit re-hashes large files:
      // neither is news. But a path both copies hold must not have changed otherwise, since the
      // agent reported every difference it found before re-sending; if it did, the "config"
      // baseline is what root would send after editing the local copy (any scope string changed)
      // to make the mirror forget a change.
      MirrorDiff diff = compare(s.agentId, id, true);
      if (diff.count() > 0) {
        alerts.add(FimAlerts.resync(s.agentId, id, reason, diff));
      }
    } else if (s.hasMirror()) {
      MirrorDiff diff = compare(s.agentId, id, false);
      if (reason.equals("created") && !id.equals(s.baselineId)) {
        alerts.add(
            FimAlerts.recreated(s.agentId, id, s.baselineId, s.stagingEntries, s.entries, diff));
      } else if (diff.count() > 0) {
        // "resync", an unknown reason, or "created" again under the same id: the agent says
        // its baseline is this, and it is not what the changes it sent made of the mirror.
        alerts.add(FimAlerts.resync(s.agentId, id, reason, diff));
      }
    }
    store.replaceMirror(s.agentId, id);
    s.baselineId = id;
    s.entries = s.stagingEntries;
    s.digest = staged;
    s.following = true;
    s.unverifiedId = null;
    metrics.baseline(Baseline.MIRRORED);
    unstage(s);
  }

  /**
   * The staged baseline against the mirror, path by path, by FimCompare. {@code bothOnly}: only
   * paths both hold as existing files, and not a content difference that a new hash limit explains
   * (size, mtime, ctime and inode all equal: content cannot be changed without a new ctime).
   */
  private MirrorDiff compare(String agentId, String baselineId, boolean bothOnly) {
    long[] count = {0};
    List<String> paths = new ArrayList<>();
    List<List<String>> changes = new ArrayList<>();
    store.forEachDifference(
        agentId,
        baselineId,
        (path, mirror, staged) -> {
          FileState before = Rows.state(mirror);
          FileState after = Rows.state(staged);
          if (bothOnly && (!before.getExists() || !after.getExists())) {
            return;
          }
          List<String> changed = FimCompare.changed(before, after);
          if (bothOnly && changed.equals(List.of("content"))) {
            return;
          }
          if (changed.isEmpty()) {
            return; // different bytes, same state for integrity purposes (e.g. the device)
          }
          count[0]++;
          if (paths.size() < options.listedPaths()) {
            paths.add(Rows.path(path));
            changes.add(changed);
          }
        });
    return new MirrorDiff(count[0], paths, changes);
  }

  /** Drops whatever the agent has staged. */
  void unstage(MirrorState s) {
    store.clearStaging(s.agentId);
    s.unstage();
  }

  static String bounded(String s) {
    return s.length() <= MAX_ID_CHARS ? s : s.substring(0, MAX_ID_CHARS);
  }
}
