package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.store.AlertRow;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessRef;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * One line of text per alert for an analyst: event time, host, level, title, rule id, triage state
 * (with the count of folded matches and the assignee when there are), the acting process (pid,
 * user, image, command line) where the event has one, and the matched fields. Every part from an
 * event or a rule file is escaped.
 */
final class AlertLine {
  private static final int FIELD_MAX = 300;

  private AlertLine() {}

  static String format(AlertRow a) {
    StringBuilder b =
        new StringBuilder()
            .append(
                DateTimeFormatter.ISO_INSTANT.format(
                    WallClock.toInstant(a.eventTimeNs()).truncatedTo(ChronoUnit.MILLIS)))
            .append(' ')
            .append(esc(a.hostname().isEmpty() ? a.agentId() : a.hostname()))
            .append(' ')
            .append(a.level() == null ? "-" : esc(a.level()))
            .append(" \"")
            .append(esc(a.title()))
            .append("\" rule=")
            .append(esc(a.ruleId()))
            .append(" alert=")
            .append(a.id())
            .append(" state=")
            .append(esc(a.state()));
    if (a.count() > 1) {
      b.append(" count=").append(a.count());
    }
    if (a.assignee() != null) {
      b.append(" assignee=").append(esc(a.assignee()));
    }
    ProcessRef p = actingProcess(a.eventPayload());
    if (p != null) {
      b.append(" pid=").append(p.getPid());
      if (!p.getUser().isEmpty()) {
        b.append(" user=").append(esc(p.getUser()));
      }
      b.append(" image=").append(esc(p.getImage()));
      b.append(" cmd=").append(esc(p.getCommandLine()));
    }
    return b.append(" matched=").append(esc(a.matchedFieldsJson())).toString();
  }

  /** The process that acted in the alert's event, or null (no such event kind, event gone). */
  static ProcessRef actingProcess(byte[] payload) {
    if (payload == null) {
      return null;
    }
    Event e;
    try {
      e = Event.parseFrom(payload);
    } catch (InvalidProtocolBufferException ex) {
      return null; // stored events were parsed at ingest; the line still shows the alert
    }
    ProcessRef p =
        switch (e.getPayloadCase()) {
          case PROCESS_EXEC -> e.getProcessExec().getProcess();
          case PROCESS_EXIT -> e.getProcessExit().getProcess();
          case FILE -> e.getFile().getProcess();
          case CONNECTION -> e.getConnection().getProcess();
          case DNS -> e.getDns().getProcess();
          case AUDIT -> e.getAudit().getProcess();
          default -> null;
        };
    return p == null || p.getPid() == 0 ? null : p;
  }

  private static String esc(String s) {
    return TerminalText.escape(s, FIELD_MAX);
  }
}
