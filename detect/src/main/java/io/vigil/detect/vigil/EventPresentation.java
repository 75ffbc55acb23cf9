package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.AuditRecordFields;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection.Direction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * How one event of the kind a log source serves is shown to a rule: the views it presents (none
 * when this particular event is not of the log source, e.g. a file deletion for {@code file_event};
 * several for auditd, one per record). Stateless and thread-safe.
 */
@FunctionalInterface
interface EventPresentation {

  List<SigmaFields> present(Event event);

  static EventPresentation one(Function<Event, SigmaFields> adapter) {
    return e -> List.of(adapter.apply(e));
  }

  static EventPresentation fileActions(Set<FileEvent.Action> actions) {
    return e ->
        actions.contains(e.getFile().getAction())
            ? List.of(new FileEventFields(e.getFile()))
            : List.of();
  }

  /** Connections only: a listening socket is not a connection Sysmon would report. */
  static EventPresentation connections() {
    return e ->
        e.getConnection().getDirection() == Direction.DIRECTION_LISTEN
            ? List.of()
            : List.of(new NetworkConnectionFields(e.getConnection()));
  }

  static EventPresentation execAsAuditd() {
    return e -> ExecAuditRecords.of(e.getProcessExec());
  }

  static EventPresentation auditMessage() {
    return e -> {
      List<SigmaFields> out = new ArrayList<>(e.getAudit().getRecordsCount());
      for (AuditRecordFields r : e.getAudit().getRecordsList()) {
        out.add(new AuditRecord(r.getType(), r.getFieldsMap()));
      }
      return out;
    };
  }
}
