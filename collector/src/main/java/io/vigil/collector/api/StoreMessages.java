package io.vigil.collector.api;

import com.google.protobuf.ByteString;
import io.vigil.collector.store.AlertChange;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertQuery;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.RelatedEvent;
import io.vigil.proto.v1.AlertChangeRecord;
import io.vigil.proto.v1.AlertRecord;
import io.vigil.proto.v1.ApiTokenRecord;
import io.vigil.proto.v1.AuditRecord;
import io.vigil.proto.v1.GetAlertReply;
import io.vigil.proto.v1.ListAlertsRequest;
import io.vigil.proto.v1.RelatedEventRecord;
import io.vigil.proto.v1.Role;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place where the operator API's messages and the store's records are converted into each
 * other, both ways: the server answers with the store's rows, {@code vigilctl} turns the replies
 * back into the same records and shows them with the formatters it always used. Null and unset
 * correspond (proto3 {@code optional}); an empty event payload is a missing event. Stateless.
 */
public final class StoreMessages {
  /** Alerts a list returns when the request gives no limit. */
  public static final int DEFAULT_ALERT_LIMIT = 50;

  private StoreMessages() {}

  /** The store query a list request asks for. */
  public static AlertQuery query(ListAlertsRequest r) {
    Set<String> states =
        r.getStatesCount() == 0
            ? Set.of("new", "acknowledged")
            : new LinkedHashSet<>(r.getStatesList());
    return new AlertQuery(
        states,
        blankToNull(r.getMinLevel()),
        blankToNull(r.getHost()),
        blankToNull(r.getRule()),
        blankToNull(r.getSource()),
        r.getSinceNs() == 0 ? null : r.getSinceNs(),
        r.getUntilNs() == 0 ? null : r.getUntilNs(),
        r.getLimit() == 0
            ? DEFAULT_ALERT_LIMIT
            : (int) Math.min(Integer.toUnsignedLong(r.getLimit()), Integer.MAX_VALUE));
  }

  /** The list request for a store query (an empty state set, meaning all, is sent as all). */
  public static ListAlertsRequest request(AlertQuery q) {
    ListAlertsRequest.Builder b =
        ListAlertsRequest.newBuilder()
            .addAllStates(
                q.states().isEmpty()
                    ? AlertQuery.STATES
                    : AlertQuery.STATES.stream().filter(q.states()::contains).toList())
            .setLimit(q.limit());
    if (q.minLevel() != null) {
      b.setMinLevel(q.minLevel());
    }
    if (q.host() != null) {
      b.setHost(q.host());
    }
    if (q.rule() != null) {
      b.setRule(q.rule());
    }
    if (q.source() != null) {
      b.setSource(q.source());
    }
    if (q.sinceNs() != null) {
      b.setSinceNs(q.sinceNs());
    }
    if (q.untilNs() != null) {
      b.setUntilNs(q.untilNs());
    }
    return b.build();
  }

  public static AlertRecord alert(AlertRow a) {
    AlertRecord.Builder b =
        AlertRecord.newBuilder()
            .setId(a.id())
            .setAgentId(nz(a.agentId()))
            .setHostname(nz(a.hostname()))
            .setEpoch(nz(a.epoch()))
            .setSeq(a.seq())
            .setEventKind(a.eventKind())
            .setEventTimeNs(a.eventTimeNs())
            .setStoredNs(a.storedNs())
            .setRuleId(nz(a.ruleId()))
            .setTitle(nz(a.title()))
            .setLevel(nz(a.level()))
            .setTagsJson(nz(a.tagsJson()))
            .setMatchedFieldsJson(nz(a.matchedFieldsJson()))
            .setRuleOrigin(nz(a.ruleOrigin()))
            .setSource(nz(a.source()))
            .setState(nz(a.state()))
            .setCount(a.count())
            .setFirstEventTimeNs(a.firstEventTimeNs())
            .setLastEventTimeNs(a.lastEventTimeNs())
            .setUpdatedNs(a.updatedNs());
    if (a.eventPayload() != null) {
      b.setEventPayload(ByteString.copyFrom(a.eventPayload()));
    }
    if (a.closeReason() != null) {
      b.setCloseReason(a.closeReason());
    }
    if (a.assignee() != null) {
      b.setAssignee(a.assignee());
    }
    if (a.entityId() != null) {
      b.setEntityId(a.entityId());
    }
    if (a.processJson() != null) {
      b.setProcessJson(a.processJson());
    }
    if (a.indicatorJson() != null) {
      b.setIndicatorJson(a.indicatorJson());
    }
    if (a.groupKeyJson() != null) {
      b.setGroupKeyJson(a.groupKeyJson());
    }
    return b.build();
  }

  public static AlertRow alertRow(AlertRecord r) {
    return new AlertRow(
        r.getId(),
        r.getAgentId(),
        r.getHostname(),
        r.getEpoch(),
        r.getSeq(),
        r.getEventKind(),
        r.getEventTimeNs(),
        r.getStoredNs(),
        r.getRuleId(),
        r.getTitle(),
        // The store keeps no level as NULL; the wire cannot tell "" from unset for it.
        blankToNull(r.getLevel()),
        r.getTagsJson(),
        r.getMatchedFieldsJson(),
        r.getRuleOrigin(),
        r.getEventPayload().isEmpty() ? null : r.getEventPayload().toByteArray(),
        r.getSource(),
        r.getState(),
        r.hasCloseReason() ? r.getCloseReason() : null,
        r.hasAssignee() ? r.getAssignee() : null,
        r.getCount(),
        r.getFirstEventTimeNs(),
        r.getLastEventTimeNs(),
        r.hasEntityId() ? r.getEntityId() : null,
        r.hasProcessJson() ? r.getProcessJson() : null,
        r.hasIndicatorJson() ? r.getIndicatorJson() : null,
        r.hasGroupKeyJson() ? r.getGroupKeyJson() : null,
        r.getUpdatedNs());
  }

  public static RelatedEventRecord related(RelatedEvent e) {
    RelatedEventRecord.Builder b =
        RelatedEventRecord.newBuilder()
            .setRole(nz(e.role()))
            .setAgentId(nz(e.agentId()))
            .setEpoch(nz(e.epoch()))
            .setSeq(e.seq())
            .setEventTimeNs(e.eventTimeNs());
    if (e.payload() != null) {
      b.setPayload(ByteString.copyFrom(e.payload()));
    }
    return b.build();
  }

  public static RelatedEvent relatedEvent(RelatedEventRecord r) {
    return new RelatedEvent(
        r.getRole(),
        r.getAgentId(),
        r.getEpoch(),
        r.getSeq(),
        r.getEventTimeNs(),
        r.hasPayload() ? r.getPayload().toByteArray() : null);
  }

  public static AlertChangeRecord change(AlertChange c) {
    AlertChangeRecord.Builder b =
        AlertChangeRecord.newBuilder()
            .setId(c.id())
            .setAlertId(c.alertId())
            .setAtNs(c.atNs())
            .setActor(nz(c.actor()))
            .setAction(nz(c.action()));
    if (c.oldValue() != null) {
      b.setOldValue(c.oldValue());
    }
    if (c.newValue() != null) {
      b.setNewValue(c.newValue());
    }
    if (c.note() != null) {
      b.setNote(c.note());
    }
    return b.build();
  }

  public static AlertChange alertChange(AlertChangeRecord r) {
    return new AlertChange(
        r.getId(),
        r.getAlertId(),
        r.getAtNs(),
        r.getActor(),
        r.getAction(),
        r.hasOldValue() ? r.getOldValue() : null,
        r.hasNewValue() ? r.getNewValue() : null,
        r.hasNote() ? r.getNote() : null);
  }

  /** The reply of GetAlert for a stored alert and the events of its process. */
  public static GetAlertReply detailReply(AlertDetail d, List<RelatedEvent> processEvents) {
    GetAlertReply.Builder b =
        GetAlertReply.newBuilder().setAlert(alert(d.alert())).setEventCount(d.eventCount());
    d.events().forEach(e -> b.addEvents(related(e)));
    d.history().forEach(c -> b.addHistory(change(c)));
    processEvents.forEach(e -> b.addProcessEvents(related(e)));
    return b.build();
  }

  /** The alert detail a GetAlert reply carries. */
  public static AlertDetail detail(GetAlertReply r) {
    return new AlertDetail(
        alertRow(r.getAlert()),
        r.getEventsList().stream().map(StoreMessages::relatedEvent).toList(),
        r.getEventCount(),
        r.getHistoryList().stream().map(StoreMessages::alertChange).toList());
  }

  /** The events of the alert's process a GetAlert reply carries. */
  public static List<RelatedEvent> processEvents(GetAlertReply r) {
    return r.getProcessEventsList().stream().map(StoreMessages::relatedEvent).toList();
  }

  public static ApiTokenRecord apiToken(ApiTokenRow t) {
    return ApiTokenRecord.newBuilder()
        .setTokenId(t.tokenId())
        .setOperator(t.operator())
        .setRole(role(t.role()))
        .setCreatedBy(t.createdBy())
        .setCreatedNs(t.createdNs())
        .setExpiresNs(t.expiresNs())
        .setRevokedNs(t.revokedNs())
        .setLastUsedNs(t.lastUsedNs())
        .build();
  }

  public static AuditRecord audit(AuditRow a) {
    return AuditRecord.newBuilder()
        .setId(a.id())
        .setAtNs(a.atNs())
        .setOperator(a.operator())
        .setRole(role(a.role()))
        .setAction(a.action())
        .setTarget(a.target())
        .setArgumentsJson(a.argumentsJson())
        .setOutcome(a.outcome())
        .setDetail(a.detail())
        .setHash(nz(a.hash()))
        .build();
  }

  /** The wire role of a stored role name; unspecified for an unknown one. */
  static Role role(String text) {
    try {
      return OperatorRole.of(text).proto();
    } catch (IllegalArgumentException e) {
      return Role.ROLE_UNSPECIFIED;
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
