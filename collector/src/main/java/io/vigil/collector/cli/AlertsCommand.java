package io.vigil.collector.cli;

import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertQuery;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.RelatedEvent;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.store.TriageResult;
import io.vigil.collector.store.TriageStore;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.text.TerminalText;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code vigilctl alerts list|show|ack|close|reopen|assign|unassign|note}: reads through a
 * read-only connection ({@link StoreReader}), changes through {@link TriageStore}, one transaction
 * per change. Not thread-safe; one command per instance.
 */
final class AlertsCommand {
  /** Exit code: done. */
  static final int OK = 0;

  /** Exit code: no such alert, the change was refused, or the store failed. */
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

  private final Path db;
  private final PrintStream out;
  private final PrintStream err;
  private final Supplier<String> actor;
  private final LongSupplier nowNs;

  AlertsCommand(
      Path db, PrintStream out, PrintStream err, Supplier<String> actor, LongSupplier nowNs) {
    this.db = db;
    this.out = out;
    this.err = err;
    this.actor = actor;
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
        yield change(() -> store().ack(id, actor.get(), args.option("--note")));
      }
      case "close" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        String reason = args.option("--reason");
        if (reason == null || reason.isBlank()) {
          throw new UsageException("alerts close needs --reason TEXT (why it is closed)");
        }
        yield change(() -> store().close(id, actor.get(), reason, args.option("--note")));
      }
      case "reopen" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        yield change(() -> store().reopen(id, actor.get(), args.option("--note")));
      }
      case "assign" -> {
        List<String> w = words(sub, words, 2, 2);
        long id = id(w.get(0));
        yield change(() -> store().assign(id, actor.get(), w.get(1)));
      }
      case "unassign" -> {
        long id = id(words(sub, words, 1, 1).get(0));
        yield change(() -> store().assign(id, actor.get(), null));
      }
      case "note" -> {
        List<String> w = words(sub, words, 2, Integer.MAX_VALUE);
        long id = id(w.get(0));
        String text = String.join(" ", w.subList(1, w.size()));
        yield change(() -> store().note(id, actor.get(), text));
      }
      default -> throw new UsageException("unknown command alerts " + Shown.text(sub));
    };
  }

  private int list(AlertQuery q, boolean json) {
    List<AlertRow> alerts;
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      alerts = reader.alerts(q);
    }
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
    Optional<AlertDetail> detail;
    List<RelatedEvent> processEvents = List.of();
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      detail = reader.alert(id);
      if (detail.isPresent() && detail.get().alert().entityId() != null) {
        AlertRow a = detail.get().alert();
        processEvents =
            reader.eventsOfProcess(a.agentId(), a.epoch(), a.entityId(), a.seq(), PROCESS_EVENTS);
      }
    }
    if (detail.isEmpty()) {
      err.println("vigilctl: no alert " + id);
      return FAILED;
    }
    if (json) {
      out.println(TriageJson.detail(detail.get(), processEvents));
    } else {
      AlertShow.format(detail.get(), processEvents, PROCESS_EVENTS).forEach(out::println);
    }
    out.flush();
    return OK;
  }

  private TriageStore triage;

  private TriageStore store() {
    if (triage == null) {
      triage = TriageStore.open(db, nowNs);
    }
    return triage;
  }

  private interface Change {
    TriageResult run();
  }

  private int change(Change c) throws UsageException {
    TriageResult r;
    try {
      r = c.run();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    } finally {
      if (triage != null) {
        triage.close();
        triage = null;
      }
    }
    if (r instanceof TriageResult.Changed ch) {
      out.println(describe(ch));
      out.flush();
      return OK;
    }
    if (r instanceof TriageResult.Refused rf) {
      err.println("vigilctl: " + TerminalText.escape(rf.reason(), Shown.LONG));
    } else {
      err.println("vigilctl: no alert " + r.alertId());
    }
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

  static Set<String> allOptions() {
    Set<String> all = new LinkedHashSet<>();
    OPTIONS.values().forEach(all::addAll);
    return all;
  }
}
