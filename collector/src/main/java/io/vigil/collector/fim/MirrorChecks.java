package io.vigil.collector.fim;

import io.vigil.collector.fim.FimMetrics.Ignored;
import io.vigil.collector.fim.FimMetrics.Scan;
import io.vigil.collector.store.FimWrites;
import io.vigil.collector.store.NewAlert;
import io.vigil.proto.fim.FimCompare;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimScan;
import java.util.List;
import java.util.Objects;

/**
 * The two checks the mirror makes of what the host says: a change must start from the state the
 * mirror holds (then the mirror takes the change), and a scan's digest must be the mirror's. Writer
 * thread only.
 */
final class MirrorChecks {
  private final FimWrites store;
  private final FimOptions options;
  private final FimMetrics metrics;
  private final BaselineStaging staging;

  MirrorChecks(FimWrites store, FimOptions options, FimMetrics metrics, BaselineStaging staging) {
    this.store = store;
    this.options = options;
    this.metrics = metrics;
    this.staging = staging;
  }

  /** An ACTION_INTEGRITY_MISMATCH event: check its {@code before}, then apply its {@code after}. */
  void change(MirrorState s, FileEvent f, List<NewAlert> alerts) {
    if (!s.hasMirror()) {
      metrics.ignored(Ignored.UNMIRRORED, 1);
      return;
    }
    byte[] path = Rows.key(f.getPath());
    if (path.length == 0 || path.length > options.maxPathBytes()) {
      metrics.ignored(Ignored.BAD_ENTRY, 1);
      return;
    }
    byte[] stored = store.mirrored(s.agentId, path);
    FileState mirror = Rows.state(stored);
    if (s.checked()) {
      List<String> differences = FimCompare.changed(mirror, f.getBefore());
      if (!differences.isEmpty()) {
        // The host's baseline held something else for this path than the changes it sent made
        // of the mirror: its local copy was edited, or changes were lost on the way.
        alerts.add(
            FimAlerts.changeOffMirror(
                s.agentId, f.getPath(), differences, mirror, f.getBefore(), f.getChangedList()));
      }
    }
    // A deletion is mirrored as an entry that does not exist, as the agent keeps it in its
    // baseline (until it next sends the whole baseline, which leaves such entries out): both
    // digests then cover the same entries.
    FileState after = f.getAfter();
    byte[] state = after.toByteArray();
    if (state.length > options.maxStateBytes()) {
      metrics.ignored(Ignored.BAD_ENTRY, 1);
      s.stopFollowing(); // the agent's baseline took a change the mirror did not
      return;
    }
    if (stored == null && s.entries >= options.maxEntriesPerAgent()) {
      alerts.add(
          FimAlerts.limit(s.agentId, "TargetFilename", f.getPath(), options.maxEntriesPerAgent()));
      metrics.ignored(Ignored.OVER_LIMIT, 1);
      s.stopFollowing();
      return;
    }
    store.putMirrored(s.agentId, path, state);
    if (stored == null) {
      s.entries++;
    }
    s.digest = null;
  }

  /** A FimScan: the end of the agent's scan, with the digest of its baseline. */
  void scan(MirrorState s, FimScan scan, List<NewAlert> alerts) {
    if (s.stagingId != null) {
      // A baseline's parts come before the scan that follows them: this one's last part is lost.
      if (!s.stagingRefused) {
        alerts.add(
            FimAlerts.incomplete(
                s.agentId,
                s.stagingId,
                s.stagingReason,
                s.stagingLastPart,
                s.stagingParts,
                s.stagingEntries,
                null,
                null));
        metrics.baseline(FimMetrics.Baseline.INCOMPLETE);
        s.stopFollowing();
      }
      staging.unstage(s);
    }
    String hostId = BaselineStaging.bounded(scan.getBaselineId());
    if (!s.checked()) {
      metrics.scan(Scan.UNVERIFIABLE);
      if (!Objects.equals(s.unverifiedId, hostId)) {
        s.unverifiedId = hostId;
        alerts.add(
            FimAlerts.notMirrored(
                s.agentId,
                hostId,
                scan.getEntries(),
                s.hasMirror() ? "mirror stopped following" : "no mirror"));
      }
      return;
    }
    if (s.digest == null) {
      s.digest = Rows.mirrorDigest(store, s.agentId);
      metrics.digestComputed();
    }
    if (scan.getBaselineId().equals(s.baselineId) && scan.getDigest().equals(s.digest)) {
      metrics.scan(Scan.MATCH);
      return;
    }
    metrics.scan(Scan.MISMATCH);
    alerts.add(
        FimAlerts.digestMismatch(
            s.agentId,
            hostId,
            s.baselineId,
            BaselineStaging.bounded(scan.getDigest()),
            s.digest,
            scan.getEntries(),
            s.entries,
            BaselineStaging.bounded(scan.getTrigger())));
  }
}
