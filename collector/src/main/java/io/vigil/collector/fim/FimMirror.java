package io.vigil.collector.fim;

import io.vigil.collector.fim.FimMetrics.Applied;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.FimWrites;
import io.vigil.collector.store.NewAlert;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The integrity mirror as ingest drives it: each newly stored integrity event of an agent is
 * applied to that agent's mirror in seq order, in the transaction that stores the event, and yields
 * the alerts to store on it. Events the stream's watermark or the events table already hold never
 * come here, so a re-sent batch applies nothing twice and raises nothing again.
 *
 * <ul>
 *   <li>{@code FimBaseline}: staged part by part; at the last part, verified against its digest
 *       (else {@value FimAlerts#INCOMPLETE}), compared with the mirror ({@value
 *       FimAlerts#RECREATED} for a baseline created anew under another id, {@value
 *       FimAlerts#RESYNC} for a resynchronisation that differs, nothing for reason {@code config}),
 *       and made the mirror.
 *   <li>{@code FileEvent} {@code ACTION_INTEGRITY_MISMATCH}: its {@code before} must be the
 *       mirror's state of the path (else {@value FimAlerts#CHANGE_OFF_MIRROR}); its {@code after}
 *       replaces it (a file gone leaves the mirror).
 *   <li>{@code FimScan}: its digest and baseline id must be the mirror's (else {@value
 *       FimAlerts#DIGEST_MISMATCH}); without a mirror that follows the agent, {@value
 *       FimAlerts#NOT_MIRRORED} once per baseline id. A baseline still staged at a scan lost its
 *       last part ({@value FimAlerts#INCOMPLETE}).
 * </ul>
 *
 * Hostile input (malformed parts, duplicated or oversized paths, absurd part counts, unknown ids)
 * is counted and ignored, never thrown; stored entries per agent are bounded ({@link FimOptions}),
 * staging is on disk. Writer thread only; {@link #committed} and {@link #afterRollback} bracket
 * each transaction for the counters.
 */
public final class FimMirror {
  private final FimOptions options;
  private final FimMetrics metrics;
  private FimWrites store;
  private BaselineStaging staging;
  private MirrorChecks checks;

  public FimMirror(FimOptions options, MetricsRegistry metrics) {
    this.options = options;
    this.metrics = new FimMetrics(metrics);
  }

  /** Binds the mirror to the writer's store. */
  public void attach(EventStore eventStore) {
    this.store = eventStore.fim();
    this.staging = new BaselineStaging(store, options, metrics);
    this.checks = new MirrorChecks(store, options, metrics, staging);
  }

  /** Whether {@code e} is one the mirror takes in (ingest keeps such events parsed for it). */
  public static boolean wants(Event e) {
    return switch (e.getPayloadCase()) {
      case FIM_BASELINE, FIM_SCAN -> true;
      case FILE -> e.getFile().getAction() == FileEvent.Action.ACTION_INTEGRITY_MISMATCH;
      default -> false;
    };
  }

  /**
   * Applies {@code e}, just stored for agent {@code agentId} at collector time {@code nowNs}, to
   * that agent's mirror; returns the alerts to store on it (empty when none, or when {@code e} is
   * not an integrity event).
   */
  public List<NewAlert> apply(String agentId, Event e, long nowNs) {
    if (!wants(e)) {
      return List.of();
    }
    List<NewAlert> alerts = new ArrayList<>(0);
    MirrorState s = MirrorState.load(store, agentId);
    switch (e.getPayloadCase()) {
      case FIM_BASELINE -> {
        metrics.applied(Applied.BASELINE_PART);
        staging.part(s, e.getFimBaseline(), alerts);
      }
      case FIM_SCAN -> {
        metrics.applied(Applied.SCAN);
        checks.scan(s, e.getFimScan(), alerts);
      }
      default -> {
        metrics.applied(Applied.CHANGE);
        checks.change(s, e.getFile(), alerts);
      }
    }
    s.save(store, nowNs);
    return alerts;
  }

  /** The transaction committed: its counts become visible. */
  public void committed() {
    metrics.publish();
  }

  /** The transaction rolled back: its counts are dropped (the mirror's rows went with it). */
  public void afterRollback() {
    metrics.discard();
  }
}
