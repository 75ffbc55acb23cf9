package io.vigil.collector.api;

import io.grpc.Status;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.RelatedEvent;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.store.TriageResult;
import io.vigil.collector.store.TriageStore;
import io.vigil.proto.v1.ChangeAlertReply;
import io.vigil.proto.v1.ChangeAlertRequest;
import io.vigil.proto.v1.GetAlertReply;
import io.vigil.proto.v1.GetAlertRequest;
import io.vigil.proto.v1.ListAlertsReply;
import io.vigil.proto.v1.ListAlertsRequest;
import java.util.List;
import java.util.Optional;

/**
 * ListAlerts, GetAlert and ChangeAlert: reads through the collector's {@link StoreReader}, changes
 * through {@link TriageStore} with the calling operator as the actor. Thread-safe (both stores
 * serialise); blocks on the store.
 */
final class AlertCalls {
  /** Most events of the alert's process GetAlert returns. */
  static final int MAX_PROCESS_EVENTS = 200;

  private final StoreReader reader;
  private final TriageStore triage;

  AlertCalls(StoreReader reader, TriageStore triage) {
    this.reader = reader;
    this.triage = triage;
  }

  ListAlertsReply list(ListAlertsRequest r) {
    var q = StoreMessages.query(r);
    ListAlertsReply.Builder b = ListAlertsReply.newBuilder().setLimit(q.limit());
    reader.alerts(q).forEach(a -> b.addAlerts(StoreMessages.alert(a)));
    return b.build();
  }

  GetAlertReply get(GetAlertRequest r) {
    Optional<AlertDetail> detail = reader.alert(r.getId());
    if (detail.isEmpty()) {
      throw Status.NOT_FOUND.withDescription("no alert " + r.getId()).asRuntimeException();
    }
    AlertRow a = detail.get().alert();
    int n = (int) Math.min(Integer.toUnsignedLong(r.getProcessEvents()), MAX_PROCESS_EVENTS);
    List<RelatedEvent> processEvents =
        a.entityId() == null || n == 0
            ? List.of()
            : reader.eventsOfProcess(a.agentId(), a.epoch(), a.entityId(), a.seq(), n);
    return StoreMessages.detailReply(detail.get(), processEvents);
  }

  ChangeAlertReply change(Principal p, ChangeAlertRequest r) {
    long id = r.getId();
    String actor = p.operator();
    String note = r.getNote().isEmpty() ? null : r.getNote();
    TriageResult result =
        switch (r.getAction()) {
          case "ack" -> triage.ack(id, actor, note);
          case "close" -> triage.close(id, actor, r.getReason(), note);
          case "reopen" -> triage.reopen(id, actor, note);
          case "assign" -> triage.assign(id, actor, r.getAssignee());
          case "unassign" -> triage.assign(id, actor, null);
          case "note" -> triage.note(id, actor, r.getNote());
          default ->
              throw new IllegalArgumentException(
                  "action: expected ack, close, reopen, assign, unassign or note");
        };
    if (result instanceof TriageResult.Changed c) {
      ChangeAlertReply.Builder b =
          ChangeAlertReply.newBuilder()
              .setChanged(StoreMessages.change(c.change()))
              .setState(c.state());
      if (c.assignee() != null) {
        b.setAssignee(c.assignee());
      }
      return b.build();
    }
    if (result instanceof TriageResult.Refused rf) {
      return ChangeAlertReply.newBuilder().setRefused(rf.reason()).build();
    }
    throw Status.NOT_FOUND.withDescription("no alert " + id).asRuntimeException();
  }
}
