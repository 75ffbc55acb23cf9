package io.vigil.collector.ingest;

import com.google.protobuf.ByteString;
import io.vigil.collector.detection.AlertStage;
import io.vigil.collector.fim.FimMirror;
import io.vigil.collector.output.RaisedAlert;
import io.vigil.collector.store.AlertContext;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.ProcessFacts;
import io.vigil.collector.store.StreamRef;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies one event batch inside the writer's transaction: skips what the watermark already covers,
 * records a hole if the batch starts past it, stores or dead-letters every new event (a stored
 * event with its process and alerts, through the {@link AlertStage}; an integrity event applied to
 * the agent's {@link FimMirror}, with the mirror's alerts), and moves the watermark in the same
 * transaction. Writer thread only.
 */
final class BatchApplier {
  private final EventStore store;
  private final StreamCache streams;
  private final ContinuityTracker continuity;
  private final IngestMetrics metrics;
  private final long maxEventBytes;
  private final boolean keepForOutputs;
  private final AlertStage alerts;
  private final FimMirror fim;
  private final HealthApplier health;
  private final ProcessActivity activity;

  BatchApplier(
      EventStore store,
      StreamCache streams,
      ContinuityTracker continuity,
      IngestMetrics metrics,
      long maxEventBytes,
      boolean keepForOutputs,
      AlertStage alerts,
      FimMirror fim,
      HealthApplier health,
      ProcessActivity activity) {
    this.store = store;
    this.streams = streams;
    this.continuity = continuity;
    this.metrics = metrics;
    this.maxEventBytes = maxEventBytes;
    this.keepForOutputs = keepForOutputs;
    this.alerts = alerts;
    this.fim = fim;
    this.health = health;
    this.activity = activity;
  }

  /** Returns the stream's watermark after this batch. */
  long apply(WriteContext ctx, WriteTask.Batch task) {
    StreamKey key = task.key();
    EventBatch batch = task.batch();
    long now = task.receiveTimeNs();
    StreamRef stream = streams.get(key, now);
    long watermark = stream.watermark();
    int n = batch.getEventsCount();
    long first = batch.getFirstSeq();
    if (n > 0 && first > watermark + 1) {
      continuity.holeDetected(ctx, key, watermark + 1, first - 1, now);
    }
    // Events at or below the watermark were settled by an earlier commit: skip them.
    int start = (int) Math.min(n, Math.max(0, watermark + 1 - first));
    Tally tally = new Tally();
    tally.duplicate = start;
    for (int i = start; i < n; i++) {
      long seq = first + i;
      ByteString raw = batch.getEvents(i);
      EventCheck.Outcome outcome = task.checks()[i];
      if (outcome instanceof EventCheck.Accepted a) {
        store(ctx, key, stream, seq, a, raw, now, tally);
      } else {
        EventCheck.Rejected r = (EventCheck.Rejected) outcome;
        ByteString kept = raw.size() > maxEventBytes ? raw.substring(0, (int) maxEventBytes) : raw;
        store
            .events()
            .insertDeadLetter(
                key.agentId(), key.epoch(), seq, now, r.reason(), kept.toByteArray(), raw.size());
        tally.deadLettered(r.label());
      }
    }
    long last = first + n - 1;
    if (n > 0 && last > watermark) {
      streams.setWatermark(key, stream, last);
      watermark = last;
    }
    Long skew = batch.getSentTimeNs() == 0 ? null : now - batch.getSentTimeNs();
    store.agents().touch(key.agentId(), now, skew);
    if (skew != null) {
      health.skew(ctx, key, -skew, now); // agent minus collector
    }
    int received = n;
    ctx.afterCommit.add(() -> tally.publish(metrics, received));
    return watermark;
  }

  private void store(
      WriteContext ctx,
      StreamKey key,
      StreamRef stream,
      long seq,
      EventCheck.Accepted accepted,
      ByteString raw,
      long now,
      Tally tally) {
    Event e = accepted.event(); // null unless it is a Gap or the outputs need it
    ProcessFacts process = accepted.process();
    boolean inserted =
        store
            .events()
            .insertEvent(
                stream.streamId(),
                seq,
                accepted.kind(),
                accepted.eventTimeNs(),
                now,
                raw.toByteArray(),
                process == null ? null : process.entityId());
    if (!inserted) {
      tally.duplicate++; // the unique index caught what the watermark should have
      return;
    }
    tally.stored++;
    if (process != null) {
      activity.saw(key.agentId(), process.entityId(), now);
    }
    if (process != null && process.exec()) {
      store
          .processes()
          .recordExec(key.agentId(), stream.streamId(), seq, accepted.eventTimeNs(), process);
    }
    if (!accepted.detections().isEmpty() || alerts.wantsEveryEvent()) {
      List<RaisedAlert> raised =
          alerts.stored(
              key.agentId(),
              stream.streamId(),
              seq,
              accepted.kind(),
              accepted.eventTimeNs(),
              now,
              accepted.detections(),
              process);
      for (RaisedAlert r : raised) {
        tally.alert(r.alert().level());
        ctx.raised.add(r);
      }
    }
    if (e != null && FimMirror.wants(e)) {
      List<NewAlert> found = fim.apply(key.agentId(), e, now);
      if (!found.isEmpty()) {
        AlertContext at =
            new AlertContext(
                key.agentId(),
                stream.streamId(),
                seq,
                accepted.kind(),
                accepted.eventTimeNs(),
                now,
                process);
        for (NewAlert a : found) {
          RaisedAlert r = alerts.raise(at, a);
          if (r != null) {
            tally.alert(r.alert().level());
            ctx.raised.add(r);
          }
        }
      }
    }
    if (e != null && e.hasGap()) {
      store.continuity().insertGap(GapRows.of(key, seq, e.getGap()));
      continuity.gapReceived(ctx, key, e.getGap());
      health.gapStored(ctx, key, stream, seq, e, now);
    }
    if (e != null && e.hasAgentStatus()) {
      health.statusStored(ctx, key, stream, seq, e, raw, now);
    }
    if (keepForOutputs) {
      ctx.stored.add(new WriteContext.StoredEvent(key, seq, e, now));
    }
  }

  /** Per-batch counts, published to the metrics only after commit. */
  private static final class Tally {
    long stored;
    long duplicate;
    long unparseable;
    long seqMismatch;
    long tooLarge;
    long noPayload;
    Map<String, Long> alertsByLevel;

    void alert(String level) {
      if (alertsByLevel == null) {
        alertsByLevel = new HashMap<>();
      }
      alertsByLevel.merge(IngestMetrics.levelLabel(level), 1L, Long::sum);
    }

    void deadLettered(String label) {
      switch (label) {
        case "unparseable" -> unparseable++;
        case "seq_mismatch" -> seqMismatch++;
        case "too_large" -> tooLarge++;
        default -> noPayload++;
      }
    }

    void publish(IngestMetrics m, long received) {
      m.received.add(received);
      m.stored.add(stored);
      m.duplicate.add(duplicate);
      m.deadLettered("unparseable").add(unparseable);
      m.deadLettered("seq_mismatch").add(seqMismatch);
      m.deadLettered("too_large").add(tooLarge);
      m.deadLettered("no_payload").add(noPayload);
      if (alertsByLevel != null) {
        alertsByLevel.forEach((level, n) -> m.alertsStored(level).add(n));
      }
      m.batchesCommitted.inc();
    }
  }
}
