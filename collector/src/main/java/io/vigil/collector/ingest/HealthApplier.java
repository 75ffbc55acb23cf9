package io.vigil.collector.ingest;

import com.google.protobuf.ByteString;
import io.vigil.collector.detection.AlertStage;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.health.HealthProblems;
import io.vigil.collector.output.RaisedAlert;
import io.vigil.collector.store.AlertContext;
import io.vigil.collector.store.AlertWrites;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.HealthWrites;
import io.vigil.collector.store.HoleRow;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.StreamRef;
import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.TamperNotice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps each agent's health columns and raises the health and tamper alerts ({@link HealthAlerts})
 * inside the writer's transaction, with what causes them: a Hello (new stream epoch, clock skew), a
 * stored AgentStatus (unclean restart, tamper notices), a stored Gap event or a hole declared lost
 * (events lost), a batch (clock skew) and the periodic silence check.
 *
 * <p>An alert is anchored on the event that carries it (the AgentStatus, the Gap). The others have
 * no event: they are raised on the agent's stream (silence, clock skew, a hole) or on the new
 * stream (new epoch) with event kind {@link AlertWrites#COLLECTOR_RAISED}, which readers take as
 * "raised by the collector" and show no event for; the store gives each a pseudo-seq of its own, so
 * a second episode at an unchanged watermark (silent, back without events, silent again) raises
 * again or folds into the open alert by its dedupe key, never counts as a duplicate. The
 * collector's alerts about itself ({@link #collectorAlert}) take the same way, on its pseudo
 * stream.
 *
 * <p>Clock skew is reported once per episode: the episode ends when a measurement is within the
 * limit again. Which agents are in an episode is kept in memory; after a restart or a rolled-back
 * transaction an open clock-skew alert of the agent stands for it. Being over budget is reported
 * the same way, once per episode of the agent's budget ({@code AgentBudget.episodes}): raised by
 * the first status at LEVEL_SHEDDING, ended by a status at LEVEL_NORMAL (or without a budget).
 * Writer thread only.
 */
final class HealthApplier {
  private static final int STATUS_KIND = Event.PayloadCase.AGENT_STATUS.getNumber();
  private static final int GAP_KIND = Event.PayloadCase.GAP.getNumber();

  private final EventStore store;
  private final StreamCache streams;
  private final AlertStage alerts;
  private final IngestMetrics metrics;
  private final HealthOptions options;
  private final Supplier<Set<String>> connected;
  private final long startedNs;

  /** Agents in a clock-skew episode (true) or known to be out of one (false). */
  private final Map<String, Boolean> skewed = new HashMap<>();

  /**
   * Per agent, the budget episode whose over-budget alert was raised; -1 when known to be within
   * budget. Absent: unknown (start, rollback).
   */
  private final Map<String, Long> budgetAlerted = new HashMap<>();

  /**
   * @param connected the ids of the agents connected now
   * @param startedNs when the collector started: nobody is silent for longer than it has listened
   */
  HealthApplier(
      EventStore store,
      StreamCache streams,
      AlertStage alerts,
      IngestMetrics metrics,
      HealthOptions options,
      Supplier<Set<String>> connected,
      long startedNs) {
    this.store = store;
    this.streams = streams;
    this.alerts = alerts;
    this.metrics = metrics;
    this.options = options;
    this.connected = connected;
    this.startedNs = startedNs;
  }

  /**
   * Before a Hello is recorded: ends the agent's silence (first, a write: see {@link
   * HealthWrites#endSilence}) and returns the epoch of its previous Hello, or null.
   */
  String beforeHello(String agentId) {
    store.health().endSilence(agentId);
    return store.health().currentEpoch(agentId);
  }

  /** A Hello was recorded (after {@link #beforeHello}). */
  void helloRecorded(WriteContext ctx, WriteTask.OpenStream task, String previousEpoch) {
    StreamKey key = task.key();
    Hello hello = task.hello();
    long now = task.receiveTimeNs();
    HealthWrites health = store.health();
    health.helloSeen(key.agentId(), hello.getLastSpooledSeq());
    if (previousEpoch != null && !previousEpoch.equals(key.epoch())) {
      StreamRef previous = streams.get(new StreamKey(key.agentId(), previousEpoch), now);
      StreamRef stream = streams.get(key, now);
      raiseCollector(
          ctx,
          collectorAnchor(key.agentId(), stream, now),
          HealthAlerts.newEpoch(
              key.agentId(),
              previousEpoch,
              previous.watermark(),
              key.epoch(),
              hello.getLastSpooledSeq()));
    }
    if (hello.getSentTimeNs() != 0) {
      skew(ctx, key, hello.getSentTimeNs() - now, now);
    }
  }

  /** An AgentStatus event was stored at {@code seq}. */
  void statusStored(
      WriteContext ctx,
      StreamKey key,
      StreamRef stream,
      long seq,
      Event e,
      ByteString raw,
      long now) {
    String agent = key.agentId();
    AgentStatus status = e.getAgentStatus();
    store.health().statusStored(agent, key.epoch(), seq, raw.toByteArray(), e.getEventTimeNs());
    AlertContext at =
        new AlertContext(agent, stream.streamId(), seq, STATUS_KIND, e.getEventTimeNs(), now, null);
    if (status.hasStart()
        && status.getStart().getPreviousStop() == AgentStart.PreviousStop.PREVIOUS_STOP_UNCLEAN) {
      raise(ctx, at, HealthAlerts.restartUnexpected(agent, status.getStart()));
    }
    if (status.getTampersCount() > 0) {
      Map<String, List<TamperNotice>> byRule = new LinkedHashMap<>();
      for (TamperNotice n : status.getTampersList()) {
        byRule.computeIfAbsent(HealthAlerts.tamperRule(n.getKind()), r -> new ArrayList<>()).add(n);
      }
      byRule.forEach((rule, notices) -> raise(ctx, at, HealthAlerts.tamper(agent, rule, notices)));
    }
    budget(ctx, at, agent, status);
  }

  /** Raises {@link HealthAlerts#OVER_BUDGET} once per episode of shedding. */
  private void budget(WriteContext ctx, AlertContext at, String agent, AgentStatus status) {
    AgentBudget b = status.getBudget();
    if (!status.hasBudget() || !HealthProblems.overBudget(b.getLevel())) {
      budgetAlerted.put(agent, -1L); // within budget (or budgets off): the episode is over
      return;
    }
    if (b.getLevel() != AgentBudget.Level.LEVEL_SHEDDING) {
      return; // reduced detail loses no events: a problem line, no alert
    }
    Long alerted = budgetAlerted.get(agent);
    if (alerted == null) {
      // Unknown since the start or a rollback: an open alert means this episode was reported.
      alerted =
          store.health().hasOpenAlert(HealthAlerts.dedupeKey(agent, HealthAlerts.OVER_BUDGET, ""))
              ? b.getEpisodes()
              : -1L;
    }
    if (alerted != b.getEpisodes()) {
      raise(ctx, at, HealthAlerts.overBudget(agent, b));
    }
    budgetAlerted.put(agent, b.getEpisodes());
  }

  /** A Gap event was stored at {@code seq}. */
  void gapStored(WriteContext ctx, StreamKey key, StreamRef stream, long seq, Event e, long now) {
    long t = e.getEventTimeNs() == 0 ? now : e.getEventTimeNs();
    raise(
        ctx,
        new AlertContext(key.agentId(), stream.streamId(), seq, GAP_KIND, t, now, null),
        HealthAlerts.gap(key.agentId(), e.getGap(), GapRows.countsByKind(e.getGap())));
  }

  /** A hole was declared lost. */
  void holeReported(WriteContext ctx, HoleRow h, long now) {
    StreamRef stream = streams.get(new StreamKey(h.agentId(), h.epoch()), now);
    raiseCollector(
        ctx,
        collectorAnchor(h.agentId(), stream, now),
        HealthAlerts.hole(h.agentId(), h.epoch(), h.firstSeq(), h.lastSeq()));
  }

  /** A clock skew measurement (agent clock minus collector clock) from a Hello or a batch. */
  void skew(WriteContext ctx, StreamKey key, long skewNs, long now) {
    String agent = key.agentId();
    long max = options.maxClockSkew().toNanos();
    Boolean inEpisode = skewed.get(agent);
    if (skewNs <= max && skewNs >= -max) {
      if (inEpisode == null || inEpisode) {
        skewed.put(agent, false);
      }
      return;
    }
    if (inEpisode == null) {
      // Unknown since the start or a rollback: an open alert means the episode was reported.
      inEpisode =
          store.health().hasOpenAlert(HealthAlerts.dedupeKey(agent, HealthAlerts.CLOCK_SKEW, ""));
    }
    skewed.put(agent, true);
    if (!inEpisode) {
      StreamRef stream = streams.get(key, now);
      raiseCollector(
          ctx, collectorAnchor(agent, stream, now), HealthAlerts.clockSkew(agent, skewNs, max));
    }
  }

  /**
   * Declares silent every agent neither connected nor heard from for {@code health.silent_after}
   * (counting from the collector's start at the earliest) and not declared silent already; one
   * alert each. Returns how many.
   */
  int checkSilence(WriteContext ctx, long now) {
    long silentAfter = options.silentAfter().toNanos();
    long before = now - silentAfter;
    if (startedNs > before) {
      return 0; // the collector has not listened long enough to say who is silent
    }
    StringBuilder live = new StringBuilder("[");
    for (String id : connected.get()) {
      if (live.length() > 1) {
        live.append(',');
      }
      JsonStrings.quote(id, live);
    }
    List<HealthWrites.Quiet> silent =
        store.health().markSilent(before, now, live.append(']').toString());
    for (HealthWrites.Quiet q : silent) {
      StreamRef stream = streams.get(new StreamKey(q.agentId(), q.epoch()), now);
      raiseCollector(
          ctx,
          collectorAnchor(q.agentId(), stream, now),
          HealthAlerts.silent(q.agentId(), q.lastSeenNs(), now, silentAfter));
    }
    return silent.size();
  }

  /** The transaction rolled back: forget the episodes it may have started or ended. */
  void afterRollback() {
    skewed.clear();
    budgetAlerted.clear();
  }

  /**
   * Raises {@code alert} about the collector itself (its storage nearly full) on its pseudo stream,
   * agent id and epoch {@value HealthAlerts#COLLECTOR} (created on first use, never given events).
   * Returns the id of the alert it stored or folded into, 0 when the allow-list allowed it.
   */
  long collectorAlert(WriteContext ctx, NewAlert alert, long now) {
    StreamRef stream =
        streams.get(new StreamKey(HealthAlerts.COLLECTOR, HealthAlerts.COLLECTOR), now);
    return raiseCollector(ctx, collectorAnchor(HealthAlerts.COLLECTOR, stream, now), alert);
  }

  /** A position on the stream, not an event: the store gives the alert a pseudo-seq of its own. */
  private static AlertContext collectorAnchor(String agentId, StreamRef stream, long now) {
    return new AlertContext(
        agentId,
        stream.streamId(),
        stream.watermark(),
        AlertWrites.COLLECTOR_RAISED,
        now,
        now,
        null);
  }

  /** Raises a collector-raised alert; returns its id (or the one it folded into), 0 if allowed. */
  private long raiseCollector(WriteContext ctx, AlertContext at, NewAlert alert) {
    AlertStage.Stored s = alerts.raiseCollectorAlert(at, alert);
    counted(ctx, s.raised(), alert);
    return s.alertId();
  }

  private void raise(WriteContext ctx, AlertContext at, NewAlert alert) {
    counted(ctx, alerts.raise(at, alert), alert);
  }

  private void counted(WriteContext ctx, RaisedAlert r, NewAlert alert) {
    if (r != null) {
      ctx.raised.add(r);
      String level = IngestMetrics.levelLabel(alert.level());
      ctx.afterCommit.add(() -> metrics.alertsStored(level).inc());
    }
  }
}
