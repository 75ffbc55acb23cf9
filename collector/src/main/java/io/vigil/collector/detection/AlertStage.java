package io.vigil.collector.detection;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.output.RaisedAlert;
import io.vigil.collector.store.AlertContext;
import io.vigil.collector.store.AlertWrites;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.EventWrites;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.ProcessFacts;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationFinding;
import io.vigil.detect.correlation.CorrelationInput;
import io.vigil.detect.filter.AllowList;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful part of detection, on the ingest writer thread inside the transaction that stores
 * each event: stores the event's alerts (the store folds identical matches within the suppression
 * window into one alert with a count), feeds correlation rules and stores what they raise, and
 * keeps what correlations were fed in the store so that their windows survive a restart.
 *
 * <p>Correlation windows run on event time. A restarted collector re-offers the stored inputs of
 * the last {@link CorrelationEngine#horizonNs()} to a fresh engine and advances each agent to its
 * last stored event, discarding what that raises (it was raised, and stored, before); from then on
 * a backlog drained after an outage raises what the live stream would have. A rolled-back
 * transaction rebuilds the engine the same way, so an input offered in a transaction that did not
 * commit is forgotten.
 *
 * <p>Writer thread only.
 */
public final class AlertStage {
  private static final Logger log = LoggerFactory.getLogger(AlertStage.class);

  /** How often (collector time) stored inputs older than each agent's horizon are deleted. */
  private static final long PRUNE_EVERY_NS = Duration.ofMinutes(1).toNanos();

  /**
   * How far ahead of the collector's clock an agent's event time may be and still move that agent's
   * correlation clock. One event from a host whose clock jumped a day ahead would otherwise make
   * every later event of that host late, blinding its correlations (an evasion), and stop the
   * pruning of stored inputs.
   */
  static final long MAX_FUTURE_NS = Duration.ofMinutes(5).toNanos();

  private final Supplier<CorrelationEngine> newEngine;
  private final AllowList allowList;
  private final Duration suppressionWindow;
  private final Function<String, String> hostnames;
  private final StageMetrics metrics;
  private EventStore store;

  /** Read by the metrics endpoint's thread for its gauges. */
  private volatile CorrelationEngine engine;

  /** Whether the current transaction offered or observed anything (a rollback must rebuild). */
  private boolean touched;

  /** A rebuild failed: the engine is not to be trusted until one succeeds. */
  private boolean rebuildPending;

  /** Each agent's newest correlation time (clamped), for pruning per agent. */
  private final Map<String, Long> newestByAgent = new HashMap<>();

  private long lastPruneNs = Long.MIN_VALUE;

  /**
   * @param newEngine a fresh correlation engine over the loaded correlation rules; null when there
   *     are none
   * @param allowList applied to correlation alerts (Sigma and intel alerts were checked before);
   *     may be null
   * @param hostnames agent id to host name, for allow-list host patterns
   */
  AlertStage(
      Supplier<CorrelationEngine> newEngine,
      AllowList allowList,
      Duration suppressionWindow,
      Function<String, String> hostnames,
      MetricsRegistry metrics) {
    this.newEngine = newEngine;
    this.allowList = allowList;
    this.suppressionWindow = suppressionWindow;
    this.hostnames = hostnames;
    this.metrics = new StageMetrics(metrics, () -> engine);
  }

  /** Binds the stage to the writer's store and rebuilds correlation state from it. */
  public void attach(EventStore store) {
    this.store = store;
    store.alerts().setSuppressionWindow(suppressionWindow);
    rebuild(true);
  }

  /** Whether every stored event must be shown to the stage (correlation windows need time). */
  public boolean wantsEveryEvent() {
    return newEngine != null;
  }

  /**
   * One event was stored in the current transaction: stores its alerts and what correlations raise
   * now. Returns the alerts newly raised (not folded), for metrics and outputs after commit.
   */
  public List<RaisedAlert> stored(
      String agentId,
      long streamId,
      long seq,
      int kind,
      long eventTimeNs,
      long storedNs,
      Detections detections,
      ProcessFacts process) {
    List<RaisedAlert> raised = null;
    AlertContext ctx =
        new AlertContext(agentId, streamId, seq, kind, eventTimeNs, storedNs, process);
    for (NewAlert a : detections.alerts()) {
      raised = add(raised, insert(ctx, a));
    }
    if (newEngine == null) {
      return raised == null ? List.of() : raised;
    }
    if (rebuildPending) {
      // Inside this event's transaction: read, but leave the transaction to the writer. Throws if
      // it fails again: the transaction fails and the agent re-sends.
      rebuild(false);
    }
    touched = true;
    long t = correlationTime(eventTimeNs, storedNs);
    CorrelationEngine e = engine;
    for (Detections.Feed feed : detections.feeds()) {
      // A late input is dropped by the engine (and counted); storing it would let a rebuild
      // revive what the live engine never counted.
      if (!e.isLate(agentId, t)) {
        store
            .correlationInputs()
            .insert(feed.ruleId(), agentId, streamId, seq, t, FieldsJson.write(feed.fields()));
      }
      CorrelationInput in =
          new CorrelationInput(feed.ruleId(), agentId, t, streamId, seq, feed.fields());
      raised = addAll(raised, raise(e.offer(in), storedNs));
    }
    raised = addAll(raised, raise(e.observe(agentId, t), storedNs));
    newestByAgent.merge(agentId, t, Math::max);
    prune(storedNs);
    return raised == null ? List.of() : raised;
  }

  /**
   * Stores an alert a writer-side stage raised on the stored event {@code ctx} names (the integrity
   * mirror's, source {@code fim}), unless the allow-list allows it (by rule id and host, as for
   * correlations). Suppression folds it like any alert with a dedupe key. Returns it for metrics
   * and outputs, or null when it was allowed, folded into an earlier alert or is already stored.
   */
  public RaisedAlert raise(AlertContext ctx, NewAlert alert) {
    if (allowList != null
        && allowList.allows(alert.ruleId(), hostOf(ctx.agentId()), null, null).isPresent()) {
      metrics.allowedStageAlerts.inc();
      return null;
    }
    return insert(ctx, alert);
  }

  /**
   * What {@link #raiseCollectorAlert} did: the alert it stored or folded the match into (0 when the
   * allow-list allowed it), and the alert for metrics and outputs when it is a new one, else null.
   */
  public record Stored(long alertId, RaisedAlert raised) {}

  /**
   * Like {@link #raise}, for an alert the collector raises itself (event kind {@link
   * AlertWrites#COLLECTOR_RAISED}): also says which alert it went to when it was folded.
   */
  public Stored raiseCollectorAlert(AlertContext ctx, NewAlert alert) {
    if (allowList != null
        && allowList.allows(alert.ruleId(), hostOf(ctx.agentId()), null, null).isPresent()) {
      metrics.allowedStageAlerts.inc();
      return new Stored(0, null);
    }
    AlertWrites.Result r = store.alerts().insertCollectorRaised(ctx, alert);
    return new Stored(r.alertId(), raised(ctx, alert, r));
  }

  /**
   * The event time correlations use: the agent's, unless it is further ahead of the collector's
   * clock than {@link #MAX_FUTURE_NS} (then the collector's plus that margin, counted).
   */
  private long correlationTime(long eventTimeNs, long storedNs) {
    long limit = storedNs + MAX_FUTURE_NS;
    if (eventTimeNs > limit) {
      metrics.clampedTimes.inc();
      return limit;
    }
    return eventTimeNs;
  }

  /** The current transaction committed: nothing to undo if the next one rolls back. */
  public void committed() {
    touched = false;
  }

  /**
   * The transaction rolled back: correlation state may hold inputs that are not stored. A
   * transaction that never reached the stage (a conflict on its first write) leaves it as it was.
   */
  public void afterRollback() {
    if (newEngine != null && touched) {
      touched = false;
      newestByAgent.clear();
      rebuild(true);
    }
  }

  private List<RaisedAlert> raise(List<CorrelationFinding> findings, long storedNs) {
    List<RaisedAlert> out = null;
    for (CorrelationFinding c : findings) {
      if (!c.standalone()) {
        continue;
      }
      CorrelationInput anchor = c.anchor();
      if (allowList != null
          && allowList.allows(c.ruleId(), hostOf(anchor.source()), null, null).isPresent()) {
        metrics.allowedCorrelations.inc();
        continue;
      }
      metrics.correlationsFired.inc();
      // The anchor is an earlier stored event: its kind and process come from the store.
      EventWrites.StoredEventFacts facts = store.events().facts(anchor.streamId(), anchor.seq());
      ProcessFacts process =
          facts == null || facts.entityId() == null
              ? null
              : store.processes().factsOf(anchor.source(), facts.entityId());
      AlertContext ctx =
          new AlertContext(
              anchor.source(),
              anchor.streamId(),
              anchor.seq(),
              facts == null ? 0 : facts.kind(),
              anchor.eventTimeNs(),
              storedNs,
              process);
      out = add(out, insert(ctx, AlertOf.correlation(c)));
    }
    return out;
  }

  private RaisedAlert insert(AlertContext ctx, NewAlert a) {
    return raised(ctx, a, store.alerts().insert(ctx, a));
  }

  private RaisedAlert raised(AlertContext ctx, NewAlert a, AlertWrites.Result r) {
    if (r.outcome() == AlertWrites.Outcome.FOLDED) {
      metrics.folded.inc();
      return null;
    }
    if (r.outcome() == AlertWrites.Outcome.DUPLICATE) {
      return null;
    }
    return new RaisedAlert(
        r.alertId(),
        ctx.agentId(),
        hostOf(ctx.agentId()),
        r.seq(), // as stored: a collector-raised alert's pseudo-seq, else the event's
        ctx.eventKind(),
        ctx.eventTimeNs(),
        ctx.storedNs(),
        a,
        r.processJson());
  }

  private String hostOf(String agentId) {
    String h = hostnames.apply(agentId);
    return h == null || h.isEmpty() ? agentId : h;
  }

  /**
   * Deletes, once a minute, each agent's stored inputs older than twice the horizon behind that
   * agent's own newest time: an agent that lags the others (clock skew, a backlog being drained)
   * keeps what its rebuild needs.
   */
  private void prune(long nowNs) {
    if (lastPruneNs != Long.MIN_VALUE && nowNs - lastPruneNs < PRUNE_EVERY_NS) {
      return;
    }
    lastPruneNs = nowNs;
    long keep = 2 * engine.horizonNs();
    newestByAgent.forEach(
        (agent, newest) -> store.correlationInputs().pruneBefore(agent, newest - keep));
  }

  /**
   * Replaces the engine with a fresh one fed the stored inputs of its horizon; the old one stays
   * until the new one is complete. {@code endReadTransaction}: outside a write transaction (at
   * start, after a rollback), end the read transaction the reads opened. On failure the stage
   * refuses to go on with a partial state: the next event tries again, and fails its transaction if
   * that fails too.
   */
  private void rebuild(boolean endReadTransaction) {
    if (newEngine == null) {
      return;
    }
    long started = System.nanoTime();
    long nowNs = System.currentTimeMillis() * 1_000_000L;
    try {
      CorrelationEngine fresh = newEngine.get();
      Map<String, Long> last = new HashMap<>();
      store
          .events()
          .lastEventTimeByAgent()
          .forEach((agent, t) -> last.put(agent, Math.min(t, nowNs + MAX_FUTURE_NS)));
      int[] offered = {0};
      if (!last.isEmpty()) {
        long from = last.values().stream().mapToLong(Long::longValue).min().getAsLong();
        from -= fresh.horizonNs();
        // What this raises was raised (and stored) before the restart or the rollback.
        store
            .correlationInputs()
            .forEachSince(
                from,
                row -> {
                  fresh.offer(
                      new CorrelationInput(
                          row.ruleId(),
                          row.agentId(),
                          row.eventTimeNs(),
                          row.streamId(),
                          row.seq(),
                          FieldsJson.read(row.fieldsJson())));
                  offered[0]++;
                });
        // In time order, so that no agent's groups expire on another agent's clock first.
        last.entrySet().stream()
            .sorted(Map.Entry.comparingByValue())
            .forEach(en -> fresh.observe(en.getKey(), en.getValue()));
      }
      if (endReadTransaction) {
        store.commit(); // ends the read transaction (nothing was written)
      }
      engine = fresh;
      newestByAgent.clear();
      newestByAgent.putAll(last);
      rebuildPending = false;
      if (offered[0] > 0) {
        log.info(
            "detection: correlation state rebuilt from {} stored inputs of {} agents in {} ms",
            offered[0],
            last.size(),
            (System.nanoTime() - started) / 1_000_000);
      }
    } catch (RuntimeException e) {
      rebuildPending = true;
      metrics.rebuildFailures.inc();
      log.error("detection: rebuilding correlation state failed; retried with the next event", e);
      throw e;
    }
  }

  private static List<RaisedAlert> add(List<RaisedAlert> list, RaisedAlert r) {
    if (r == null) {
      return list;
    }
    List<RaisedAlert> out = list == null ? new ArrayList<>(2) : list;
    out.add(r);
    return out;
  }

  private static List<RaisedAlert> addAll(List<RaisedAlert> list, List<RaisedAlert> more) {
    if (more == null || more.isEmpty()) {
      return list;
    }
    List<RaisedAlert> out = list == null ? new ArrayList<>(more.size()) : list;
    out.addAll(more);
    return out;
  }

  /** The field values of a correlation input as one JSON object of strings. */
  static final class FieldsJson {
    private FieldsJson() {}

    static String write(Map<String, String> fields) {
      return AlertJson.object(fields);
    }

    static Map<String, String> read(String json) {
      Map<String, String> out = new LinkedHashMap<>();
      JsonObject o = JsonParser.parseString(json).getAsJsonObject();
      for (Map.Entry<String, JsonElement> e : o.entrySet()) {
        out.put(e.getKey(), e.getValue().getAsString());
      }
      return out;
    }
  }
}
