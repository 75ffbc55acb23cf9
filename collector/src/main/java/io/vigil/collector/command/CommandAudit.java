package io.vigil.collector.command;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.CommandRow;
import io.vigil.proto.v1.CommandResult;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit rows the command queue writes on its own (the SendCommand call writes the issue): a
 * queued command delivered when its agent connected ({@code CommandSent}), one that expired ({@code
 * CommandExpired}) and each result ({@code CommandResult}). Operator is the command's issuer, role
 * {@value #ROLE} (the collector wrote it for them), target the agent id, arguments {@code
 * {"command_id", "action"}}. A row that cannot be written is logged, not thrown, and reported as
 * false: the command has moved on either way, and the queue retries the row it still owes.
 * Thread-safe.
 */
final class CommandAudit {
  private static final Logger log = LoggerFactory.getLogger(CommandAudit.class);
  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  /** The role column of rows the collector writes on an issuer's behalf. */
  static final String ROLE = "collector";

  /** Longest result detail kept in a row, chars; the facts follow it. */
  static final int MAX_DETAIL = 1024;

  private final AuditLog audit;

  CommandAudit(AuditLog audit) {
    this.audit = audit;
  }

  /**
   * @return whether the row was written
   */
  boolean sent(CommandRow c, long nowNs) {
    return write(
        c,
        nowNs,
        "CommandSent",
        "ok",
        c.action() + " " + c.commandId() + " sent to agent " + c.agentId() + " when it connected");
  }

  /**
   * @return whether the row was written
   */
  boolean expired(CommandRow c, long nowNs) {
    String why =
        c.status().equals(CommandRow.QUEUED)
            ? "expired before the agent took it"
            : "expired without a result: the agent did not report one before the command's expiry"
                + " (a result that still comes is recorded)";
    return write(
        c, nowNs, "CommandExpired", "failed", c.action() + " " + c.commandId() + ": " + why);
  }

  /**
   * @return whether the row was written
   */
  boolean result(CommandRow c, CommandResult r, long nowNs) {
    String outcome = outcome(r.getOutcome());
    StringBuilder d = new StringBuilder(outcome);
    if (!r.getDetail().isEmpty()) {
      d.append(": ").append(bounded(r.getDetail()));
    }
    if (r.getFactsCount() > 0) {
      d.append(" facts:");
      new TreeMap<>(r.getFactsMap())
          .forEach((k, v) -> d.append(' ').append(bounded(k)).append('=').append(bounded(v)));
    }
    return write(
        c,
        nowNs,
        "CommandResult",
        r.getOutcome() == CommandResult.Outcome.OUTCOME_SUCCEEDED ? "ok" : "failed",
        d.toString());
  }

  /** succeeded, failed, rejected or unspecified. */
  static String outcome(CommandResult.Outcome o) {
    return switch (o) {
      case OUTCOME_SUCCEEDED -> "succeeded";
      case OUTCOME_FAILED -> "failed";
      case OUTCOME_REJECTED -> "rejected";
      default -> "unspecified";
    };
  }

  private boolean write(CommandRow c, long nowNs, String action, String outcome, String detail) {
    try {
      audit.append(
          new AuditRow(
              0, nowNs, c.issuedBy(), ROLE, action, c.agentId(), arguments(c), outcome, detail));
      return true;
    } catch (RuntimeException e) {
      log.error(
          "cannot write the audit row {} ({}) of command {} for agent {}",
          action,
          outcome,
          c.commandId(),
          c.agentId(),
          e);
      return false;
    }
  }

  static String arguments(CommandRow c) {
    Struct s =
        Struct.newBuilder()
            .putFields("command_id", Value.newBuilder().setStringValue(c.commandId()).build())
            .putFields("action", Value.newBuilder().setStringValue(c.action()).build())
            .build();
    try {
      return JSON.print(s);
    } catch (InvalidProtocolBufferException e) {
      return "{}"; // a Struct of strings always prints
    }
  }

  private static String bounded(String s) {
    return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "...";
  }
}
