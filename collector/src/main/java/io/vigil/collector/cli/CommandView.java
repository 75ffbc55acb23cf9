package io.vigil.collector.cli;

import io.vigil.proto.v1.CommandRecord;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.SendCommandReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How {@code vigilctl} shows a command and its result, as text (everything that came from an agent
 * escaped for the terminal) or as one JSON line, and the exit code a command's reply means: {@value
 * CtlMain#EXIT_OK} succeeded, {@value CtlMain#EXIT_FAILED} failed, rejected or expired, {@value
 * CtlMain#EXIT_PENDING} queued or sent without a result yet. Stateless.
 */
final class CommandView {
  private CommandView() {}

  /** The exit code of a SendCommand reply. */
  static int exitCode(SendCommandReply r) {
    return switch (r.getStatus()) {
      case "done" ->
          r.getResult().getOutcome() == CommandResult.Outcome.OUTCOME_SUCCEEDED
              ? CtlMain.EXIT_OK
              : CtlMain.EXIT_FAILED;
      case "queued", "sent" -> CtlMain.EXIT_PENDING;
      default -> CtlMain.EXIT_FAILED;
    };
  }

  /**
   * The text lines of a reply: the outcome and detail, the facts sorted (key=value), the command
   * id; or what a command without result is waiting for.
   *
   * @param what the action and host as the operator gave them, e.g. {@code isolate web-1}
   * @param waitMs how long the collector waited for the result
   * @param expiresNs about when the command expires, UTC ns
   */
  static List<String> text(String what, SendCommandReply r, long waitMs, long expiresNs) {
    String head = Shown.text(what) + " (agent " + Shown.text(r.getAgentId()) + ")";
    String id = "command " + Shown.text(r.getCommandId());
    List<String> lines = new ArrayList<>();
    switch (r.getStatus()) {
      case "done" -> {
        CommandResult res = r.getResult();
        lines.add(
            head
                + ": "
                + outcome(res.getOutcome())
                + (res.getDetail().isEmpty() ? "" : ": " + Shown.longText(res.getDetail())));
        lines.addAll(facts(res.getFactsMap()));
        lines.add(id);
      }
      case "queued" -> {
        lines.add(
            head
                + ": queued: the agent is not connected; the command waits for it until about "
                + Shown.seconds(expiresNs)
                + " UTC, then expires");
        lines.add(id + " (vigilctl commands " + Shown.text(r.getAgentId()) + " shows its result)");
      }
      case "sent" -> {
        lines.add(head + ": sent, still running: no result within " + waitMs / 1000.0 + " s");
        lines.add(id + " (vigilctl commands " + Shown.text(r.getAgentId()) + " shows its result)");
      }
      case "expired" -> {
        lines.add(head + ": expired: the agent did not take it before its expiry");
        lines.add(id);
      }
      default -> {
        lines.add(head + ": " + Shown.text(r.getStatus()));
        lines.add(id);
      }
    }
    return lines;
  }

  /** A reply as one JSON line. */
  static String json(SendCommandReply r) {
    StringBuilder out = new StringBuilder();
    JsonFields f =
        new JsonFields(out)
            .str("command_id", r.getCommandId())
            .str("agent_id", r.getAgentId())
            .str("status", r.getStatus());
    result(f, r.hasResult() ? r.getResult() : null);
    f.end();
    return out.toString();
  }

  /** A listed command as one JSON line. */
  static String json(CommandRecord c) {
    StringBuilder out = new StringBuilder();
    JsonFields f =
        new JsonFields(out)
            .str("command_id", c.getCommandId())
            .str("agent_id", c.getAgentId())
            .str("hostname", c.getHostname())
            .str("action", c.getAction())
            .str("arguments_json", c.getArgumentsJson())
            .str("issued_by", c.getIssuedBy())
            .num("issued_ns", c.getIssuedNs())
            .num("expires_ns", c.getExpiresNs())
            .str("status", c.getStatus())
            .num("sent_ns", c.getSentNs());
    result(f, c.hasResult() ? c.getResult() : null);
    f.end();
    return out.toString();
  }

  private static void result(JsonFields f, CommandResult r) {
    if (r == null) {
      f.raw("result", b -> b.append("null"));
      return;
    }
    f.raw(
        "result",
        b -> {
          JsonFields g =
              new JsonFields(b)
                  .str("outcome", outcome(r.getOutcome()))
                  .str("detail", r.getDetail())
                  .num("started_ns", r.getStartedTimeNs())
                  .num("finished_ns", r.getFinishedTimeNs());
          g.raw(
              "facts",
              c -> {
                JsonFields h = new JsonFields(c);
                new TreeMap<>(r.getFactsMap()).forEach(h::str);
                h.end();
              });
          g.end();
        });
  }

  /** A result in one short cell: outcome, detail, facts. */
  static String cell(CommandResult r) {
    StringBuilder s = new StringBuilder(outcome(r.getOutcome()));
    if (!r.getDetail().isEmpty()) {
      s.append(": ").append(r.getDetail());
    }
    new TreeMap<>(r.getFactsMap()).forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
    return s.toString(); // escaped by the table
  }

  /** The facts, sorted by key, one {@code key=value} line each, escaped. */
  static List<String> facts(Map<String, String> facts) {
    List<String> lines = new ArrayList<>();
    new TreeMap<>(facts)
        .forEach((k, v) -> lines.add("  " + Shown.text(k) + "=" + Shown.longText(v)));
    return lines;
  }

  static String outcome(CommandResult.Outcome o) {
    return switch (o) {
      case OUTCOME_SUCCEEDED -> "succeeded";
      case OUTCOME_FAILED -> "failed";
      case OUTCOME_REJECTED -> "rejected";
      default -> "unknown outcome";
    };
  }
}
