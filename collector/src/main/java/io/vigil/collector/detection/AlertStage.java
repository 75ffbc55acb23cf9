package io.vigil.collector.detection;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.output.RaisedAlert;
import io.vigil.collector.store.AlertContext;
import io.vigil.collector.store.AlertWrites;
import io.vigil.collector.store.CorrelationInputRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.ProcessFacts;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationFinding;
import io.vigil.detect.correlation.CorrelationInput;
import io.vigil.detect.filter.AllowList;
import java.time.Duration;
import java.util.ArrayList;
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

  /** How often (event time) stored inputs older than the horizon are deleted. */
  private static final long PRUNE_EVERY_NS = Duration.ofMinutes(1).toNanos();

  private final Supplier<CorrelationEngine> newEngine;
  private final AllowList allowList;
  private final Duration suppressionWindow;
  private final Function<String, String> hostnames;
  private final StageMetrics metrics;
  private EventStore store;
  private CorrelationEngine engine;
  private long maxEventTimeNs = Long.MIN_VALUE;
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
    rebuild();
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
    if (engine == null) {
      return raised == null ? List.of() : raised;
    }
    for (Detections.Feed feed : detections.feeds()) {
      store
          .correlationInputs()
          .insert(
              feed.ruleId(), agentId, streamId, seq, eventTimeNs, FieldsJson.write(feed.fields()));
      CorrelationInput in =
          new CorrelationInput(feed.ruleId(), agentId, eventTimeNs, streamId, seq, feed.fields());
      raised = addAll(raised, raise(engine.offer(in), storedNs));
    }
    raised = addAll(raised, raise(engine.observe(agentId, eventTimeNs), storedNs));
    prune(eventTimeNs);
    return raised == null ? List.of() : raised;
  }

  /** The transaction rolled back: correlation state may hold inputs that are not stored. */
  public void afterRollback() {
    if (engine != null) {
      rebuild();
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
          && allowList
              .allows(c.ruleId(), hostnames.apply(anchor.source()), null, null)
              .isPresent()) {
        metrics.allowedCorrelations.inc();
        continue;
      }
      metrics.correlationsFired.inc();
      AlertContext ctx =
          new AlertContext(
              anchor.source(),
              anchor.streamId(),
              anchor.seq(),
              0,
              anchor.eventTimeNs(),
              storedNs,
              null);
      out = add(out, insert(ctx, AlertOf.correlation(c)));
    }
    return out;
  }

  private RaisedAlert insert(AlertContext ctx, NewAlert a) {
    AlertWrites.Result r = store.alerts().insert(ctx, a);
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
        ctx.seq(),
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

  private void prune(long eventTimeNs) {
    if (eventTimeNs > maxEventTimeNs) {
      maxEventTimeNs = eventTimeNs;
    }
    if (lastPruneNs != Long.MIN_VALUE && maxEventTimeNs - lastPruneNs < PRUNE_EVERY_NS) {
      return;
    }
    lastPruneNs = maxEventTimeNs;
    // Twice the horizon: agents whose clocks or backlogs lag the newest one still find theirs.
    long before = maxEventTimeNs - 2 * engine.horizonNs();
    if (before > 0) {
      store.correlationInputs().pruneBefore(before);
    }
  }

  private void rebuild() {
    if (newEngine == null) {
      return;
    }
    long started = System.nanoTime();
    engine = newEngine.get();
    Map<String, Long> last = store.events().lastEventTimeByAgent();
    int offered = 0;
    if (!last.isEmpty()) {
      long from = last.values().stream().mapToLong(Long::longValue).min().getAsLong();
      from -= engine.horizonNs();
      for (CorrelationInputRow row : store.correlationInputs().since(from)) {
        // Raised before the restart (or in the transaction that rolled back, and then not
        // stored, but the agent re-sends those events and they are offered again).
        engine.offer(
            new CorrelationInput(
                row.ruleId(),
                row.agentId(),
                row.eventTimeNs(),
                row.streamId(),
                row.seq(),
                FieldsJson.read(row.fieldsJson())));
        offered++;
      }
      last.forEach(engine::observe);
      maxEventTimeNs = last.values().stream().mapToLong(Long::longValue).max().getAsLong();
    }
    store.commit(); // ends the read transaction
    if (offered > 0) {
      log.info(
          "detection: correlation state rebuilt from {} stored inputs of {} agents in {} ms",
          offered,
          last.size(),
          (System.nanoTime() - started) / 1_000_000);
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
