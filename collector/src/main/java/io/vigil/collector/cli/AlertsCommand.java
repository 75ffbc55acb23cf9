package io.vigil.collector.cli;

import io.vigil.collector.api.OperatorApiException;
import io.vigil.collector.api.StoreMessages;
import io.vigil.collector.store.AlertChange;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertQuery;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.RelatedEvent;
import io.vigil.collector.store.TriageResult;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.ChangeAlertReply;
import io.vigil.proto.v1.ChangeAlertRequest;
import io.vigil.proto.v1.GetAlertReply;
import io.vigil.proto.v1.GetAlertRequest;
import io.vigil.proto.v1.ListAlertsReply;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code vigilctl alerts list|show|ack|close|reopen|assign|unassign|note}, through the operator API
 * (ListAlerts, GetAlert, ChangeAlert); the collector records the calling operator as the actor of
 * each change. The replies are turned back into the store's records ({@link StoreMessages}) and
 * shown by the same formatters. Not thread-safe; one command per instance.
 */
final class AlertsCommand {
  /** Exit code: done. */
  static final int OK = 0;

  /** Exit code: no such alert, the change was refused, or the collector refused or failed. */
  static final int FAILED = 1;

  /** Events of the alert's process that {@code show} lists. */
  static final int PROCESS_EVENTS = 20;

  /** Alerts {@code list} shows when {@code --limit} is not given. */
  static final int DEFAULT_LIMIT = 50;

  /** The options of each sub-command, besides the global ones. */
  static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "list",
          Set.of(
              "--state",
              "--level",
              "--host",
              "--rule",
              "--source",
              "--since",
              "--until",
              "--limit",
              "--json"),
          "show",
          Set.of("--json"),
          "ack",
          Set.of("--note"),
          "close",
          Set.of("--reason", "--note"),
          "reopen",
          Set.of("--note"),
          "assign",
          Set.of(),
          "unassign",
          Set.of(),
          "note",
          Set.of());

  private final CtlApi api;
  private final PrintStream out;
  private final PrintStream err;
  private final LongSupplier nowNs;

  AlertsCommand(CtlApi api, PrintStream out, PrintStream err, LongSupplier nowNs) {
    this.api = api;
    this.out = out;
    this.err = err;
    this.nowNs = nowNs;
  }

  /**
   * Runs sub-command {@code sub} with the words after it.
   *
   * @throws UsageException for wrong words or option values (exit code 2)
   */
  int run(String sub, List<String> words, CtlArgs args) throws UsageException {
    return switch (sub) {
      case "list" -> {
        words(sub, words, 0, 0);
        yield list(query(args), args.has("--json"));
      }
      case "show" -> show(id(words(sub, words, 1, 1).get(0)), args.has("--json"));
      case "ack" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        yield change(change(id, "ack").setNote(nz(args.option("--note"))));
      }
      case "close" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        String reason = args.option("--reason");
        if (reason == null || reason.isBlank()) {
          throw new UsageException("alerts close needs --reason TEXT (why it is closed)");
        }
        yield change(change(id, "close").setReason(reason).setNote(nz(args.option("--note"))));
      }
      case "reopen" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        yield change(change(id, "reopen").setNote(nz(args.option("--note"))));
      }
      case "assign" -> {
        List<String> w = words(sub, words, 2, 2);
        yield change(change(id(w.get(0)), "assign").setAssignee(w.get(1)));
      }
      case "unassign" -> change(change(id(words(sub, words, 1, 1).get(0)), "unassign"));
      case "note" -> {
        List<String> w = words(sub, words, 2, Integer.MAX_VALUE);
        String text = String.join(" ", w.subList(1, w.size()));
        yield change(change(id(w.get(0)), "note").setNote(text));
      }
      default -> throw new UsageException("unknown command alerts " + Shown.text(sub));
    };
  }

  private int list(AlertQuery q, boolean json) {
    ListAlertsReply reply = api.call(s -> s.listAlerts(StoreMessages.request(q)));
    List<AlertRow> alerts = reply.getAlertsList().stream().map(StoreMessages::alertRow).toList();
    if (json) {
      alerts.forEach(a -> out.println(TriageJson.row(a)));
    } else if (alerts.isEmpty()) {
      out.println("no matching alerts");
    } else {
      AlertTable.format(alerts).forEach(out::println);
      if (alerts.size() == q.limit()) {
        out.println("(newest " + q.limit() + " shown; --limit N for more)");
      }
    }
    out.flush();
    return OK;
  }

  private int show(long id, boolean json) {
    GetAlertReply reply;
    try {
      reply =
          api.call(
              s ->
                  s.getAlert(
                      GetAlertRequest.newBuilder()
                          .setId(id)
                          .setProcessEvents(PROCESS_EVENTS)
                          .build()));
    } catch (OperatorApiException e) {
      if (e.kind() == OperatorApiException.Kind.NOT_FOUND) {
        err.println("vigilctl: no alert " + id);
        return FAILED;
      }
      throw e;
    }
    AlertDetail detail = StoreMessages.detail(reply);
    List<RelatedEvent> processEvents = StoreMessages.processEvents(reply);
    if (json) {
      out.println(TriageJson.detail(detail, processEvents));
    } else {
      AlertShow.format(detail, processEvents, PROCESS_EVENTS).forEach(out::println);
    }
    out.flush();
    return OK;
  }

  private static ChangeAlertRequest.Builder change(long id, String action) {
    return ChangeAlertRequest.newBuilder().setId(id).setAction(action);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private int change(ChangeAlertRequest.Builder request) throws UsageException {
    ChangeAlertReply r;
    try {
      r = api.call(s -> s.changeAlert(request.build()));
    } catch (OperatorApiException e) {
      switch (e.kind()) {
        case NOT_FOUND -> {
          err.println("vigilctl: no alert " + request.getId());
          return FAILED;
        }
        case INVALID_ARGUMENT -> throw new UsageException(Shown.longText(e.getMessage()));
        default -> throw e;
      }
    }
    if (r.hasChanged()) {
      AlertChange c = StoreMessages.alertChange(r.getChanged());
      out.println(describe(new TriageResult.Changed(c.alertId(), c, r.getState(), null)));
      out.flush();
      return OK;
    }
    err.println("vigilctl: " + TerminalText.escape(r.getRefused(), Shown.LONG));
    return FAILED;
  }

  private static String describe(TriageResult.Changed ch) {
    var c = ch.change();
    String what =
        switch (c.action()) {
          case "assign" ->
              c.newValue() == null
                  ? "unassigned (was " + Shown.text(c.oldValue()) + ")"
                  : "assigned to "
                      + Shown.text(c.newValue())
                      + (c.oldValue() == null ? "" : " (was " + Shown.text(c.oldValue()) + ")");
          case "note" -> "note added";
          default -> c.oldValue() + " -> " + c.newValue();
        };
    return "alert " + ch.alertId() + ": " + what + " (by " + Shown.text(c.actor()) + ")";
  }

  private AlertQuery query(CtlArgs args) throws UsageException {
    try {
      AlertQuery q = AlertQuery.open(DEFAULT_LIMIT);
      String state = args.option("--state");
      if (state != null) {
        q = q.withStates(states(state));
      }
      String level = args.option("--level");
      if (level != null) {
        q = q.withMinLevel(level.trim().toLowerCase(Locale.ROOT));
      }
      q = q.withHost(args.option("--host")).withRule(args.option("--rule"));
      String source = args.option("--source");
      if (source != null) {
        q = q.withSource(source.trim().toLowerCase(Locale.ROOT));
      }
      String since = args.option("--since");
      if (since != null) {
        q = q.withSince(TimeArg.parse("--since", since, nowNs.getAsLong()));
      }
      String until = args.option("--until");
      if (until != null) {
        q = q.withUntil(TimeArg.parse("--until", until, nowNs.getAsLong()));
      }
      String limit = args.option("--limit");
      if (limit != null) {
        q = q.withLimit(limit(limit));
      }
      return q;
    } catch (IllegalArgumentException e) {
      throw new UsageException(TerminalText.escape(e.getMessage(), Shown.LONG));
    }
  }

  /** {@code all}, or states separated by commas ({@code open}: new and acknowledged). */
  private static Set<String> states(String value) {
    Set<String> states = new LinkedHashSet<>();
    for (String s : value.split(",", -1)) {
      String st = s.trim().toLowerCase(Locale.ROOT);
      switch (st) {
        case "all" -> states.addAll(AlertQuery.STATES);
        case "open" -> states.addAll(List.of("new", "acknowledged"));
        case "ack", "acked" -> states.add("acknowledged");
        default -> states.add(st); // AlertQuery names an unknown one
      }
    }
    return states;
  }

  private static int limit(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--limit: expected a number from 1 to "
              + AlertQuery.MAX_LIMIT
              + ", got \""
              + value
              + "\"");
    }
  }

  private static List<String> words(String sub, List<String> words, int min, int max)
      throws UsageException {
    if (words.size() < min || words.size() > max) {
      String expected =
          switch (sub) {
            case "list" -> "no arguments";
            case "assign" -> "ID USER";
            case "note" -> "ID TEXT";
            default -> "ID";
          };
      throw new UsageException(
          "alerts "
              + sub
              + " takes "
              + expected
              + ", got "
              + (words.isEmpty() ? "none" : Shown.text(String.join(" ", words))));
    }
    return words;
  }

  private static long id(String word) throws UsageException {
    try {
      long id = Long.parseLong(word.trim());
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(
        "expected an alert id (a positive number), got \"" + Shown.text(word) + "\"");
  }
}
