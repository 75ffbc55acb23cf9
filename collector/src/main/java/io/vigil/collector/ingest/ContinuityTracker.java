package io.vigil.collector.ingest;

import io.vigil.collector.store.ContinuityWrites;
import io.vigil.collector.store.HoleRow;
import io.vigil.proto.v1.Gap;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves continuity per stream: a seq range skipped by a batch becomes a hole; a Gap event covering
 * it explains it; a hole still unexplained after the grace period is reported once as a continuity
 * violation. Writer thread only.
 */
final class ContinuityTracker {
  private static final Logger log = LoggerFactory.getLogger(ContinuityTracker.class);

  private final ContinuityWrites holes;
  private final IngestMetrics metrics;
  private final long graceNs;

  ContinuityTracker(ContinuityWrites holes, IngestMetrics metrics, long graceNs) {
    this.holes = holes;
    this.metrics = metrics;
    this.graceNs = graceNs;
  }

  void holeDetected(WriteContext ctx, StreamKey key, long firstSeq, long lastSeq, long nowNs) {
    holes.insertHole(
        new HoleRow(0, key.agentId(), key.epoch(), firstSeq, lastSeq, nowNs, false, false));
    ctx.holesChanged = true;
  }

  /**
   * Marks the parts of unexplained holes that {@code gap}'s seq range covers as explained,
   * splitting a partly covered hole so the uncovered rest stays open.
   */
  void gapReceived(WriteContext ctx, StreamKey key, Gap gap) {
    long first = gap.getFirstSeq();
    long last = gap.getLastSeq();
    if (first <= 0 || last < first) {
      return; // losses that never had a seq, or a nonsensical range: nothing to explain
    }
    for (HoleRow h : holes.unexplainedHolesOverlapping(key.agentId(), key.epoch(), first, last)) {
      holes.deleteHole(h.id());
      if (h.firstSeq() < first) {
        holes.insertHole(piece(h, h.firstSeq(), first - 1, false));
      }
      holes.insertHole(piece(h, Math.max(h.firstSeq(), first), Math.min(h.lastSeq(), last), true));
      if (h.lastSeq() > last) {
        holes.insertHole(piece(h, last + 1, h.lastSeq(), false));
      }
      ctx.holesChanged = true;
      if (h.reported()) {
        // The hole was reported as a violation before its Gap arrived (a long backlog can take
        // longer than the grace period): say so, so that the earlier warning is not left standing.
        long from = Math.max(h.firstSeq(), first);
        long to = Math.min(h.lastSeq(), last);
        ctx.afterCommit.add(
            () -> {
              log.info(
                  "agent {} epoch {}: events {}..{}, reported missing earlier, are explained by"
                      + " a late Gap ({})",
                  h.agentId(),
                  h.epoch(),
                  Long.toUnsignedString(from),
                  Long.toUnsignedString(to),
                  gap.getReason());
              metrics.continuityExplainedLate.inc();
            });
      }
    }
  }

  /**
   * Reports every unexplained hole older than the grace period that was not reported yet; returns
   * them.
   */
  List<HoleRow> reportOverdue(WriteContext ctx, long nowNs) {
    List<HoleRow> reported = new ArrayList<>();
    for (HoleRow h : holes.unreportedHolesDetectedBy(nowNs - graceNs)) {
      holes.markHoleReported(h.id());
      reported.add(h);
      ctx.afterCommit.add(
          () -> {
            log.warn(
                "agent {} epoch {}: events {}..{} missing and not covered by a Gap",
                h.agentId(),
                h.epoch(),
                Long.toUnsignedString(h.firstSeq()),
                Long.toUnsignedString(h.lastSeq()));
            metrics.continuityViolations.inc();
          });
    }
    return reported;
  }

  /** Refreshes the open-holes gauge after commit if this transaction changed holes. */
  void beforeCommit(WriteContext ctx) {
    if (ctx.holesChanged) {
      long open = holes.countUnexplainedHoles();
      ctx.afterCommit.add(() -> metrics.holesOpen.set(open));
    }
  }

  void refreshGauge() {
    metrics.holesOpen.set(holes.countUnexplainedHoles());
  }

  private static HoleRow piece(HoleRow h, long first, long last, boolean explained) {
    return new HoleRow(
        0, h.agentId(), h.epoch(), first, last, h.detectedNs(), explained, h.reported());
  }
}
