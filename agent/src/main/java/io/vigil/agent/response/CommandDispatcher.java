package io.vigil.agent.response;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands on two lanes, one at a time each (containment on one, slow work such as uploads on
 * the other, so an isolate never waits behind a collect), and holds their results until
 * acknowledged. Each command's intent and outcome go to the {@link CommandJournal} before it runs
 * and before it is reported, so a command id runs at most once, also across restarts, and every
 * result is re-sent until the collector stores it. {@link #accept} may be called from any thread;
 * the rest is thread-safe too.
 */
public final class CommandDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

  /** Longest detail reported, in chars. */
  static final int MAX_DETAIL = 2000;

  /** Most facts per result, and the longest value, in chars. */
  static final int MAX_FACTS = 32;

  static final int MAX_FACT_VALUE = 1000;

  private final CommandJournal journal;
  private final ResultSequence sequence;
  private final EventSink timeline;
  private final Map<Command.ActionCase, Action> actions;

  /**
   * Containment that must not wait: isolate, release, block, unblock, kill and ping run here, one
   * at a time (the network actions change one ruleset), never behind an upload or a snapshot.
   */
  private final ExecutorService urgent = lane("vigil-commands-urgent");

  /** Slow work (collect, snapshot, quarantine, restore), one at a time. */
  private final ExecutorService slow = lane("vigil-commands-slow");

  /** Received and not started yet (in this process): a re-send while they wait is not run. */
  private final java.util.Set<String> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Collector clock minus agent clock, ns, from the last Welcome: expiry is in collector time. */
  private volatile long collectorOffsetNs;

  private volatile Runnable onResult = () -> {};

  /**
   * @param journal the local intent and outcome record (results it holds unacknowledged are offered
   *     again)
   * @param actions what runs each action; an action without an entry is rejected, naming it (ping
   *     needs none)
   */
  public CommandDispatcher(
      CommandJournal journal,
      ResultSequence sequence,
      EventSink timeline,
      Map<Command.ActionCase, Action> actions) {
    this.journal = journal;
    this.sequence = sequence;
    this.timeline = timeline;
    this.actions = actions.isEmpty() ? Map.of() : new EnumMap<>(actions);
    for (CommandResult r : journal.interruptedAtOpen()) {
      log.warn(
          "command {} was interrupted by an agent restart; it is not run again and is reported as"
              + " failed",
          TerminalText.escape(r.getCommandId(), 64));
    }
  }

  /**
   * Opens the journal ({@code commands.journal}) and result sequence ({@code command-result.seq})
   * in {@code stateDir} and builds the dispatcher.
   *
   * @throws java.io.IOException when either cannot be read or written
   */
  public static CommandDispatcher open(
      java.nio.file.Path stateDir, EventSink timeline, Map<Command.ActionCase, Action> actions)
      throws java.io.IOException {
    ResultSequence sequence = new ResultSequence(stateDir.resolve("command-result.seq"));
    CommandJournal journal =
        CommandJournal.open(
            stateDir.resolve("commands.journal"),
            WallClock.nowNanos(),
            id -> interrupted(id, sequence));
    return new CommandDispatcher(journal, sequence, timeline, actions);
  }

  /**
   * The result recorded for a command that a restart interrupted between its intent and its outcome
   * (for {@link CommandJournal#open}).
   */
  public static CommandResult interrupted(String commandId, ResultSequence sequence) {
    long now = WallClock.nowNanos();
    return CommandResult.newBuilder()
        .setCommandId(commandId)
        .setOutcome(CommandResult.Outcome.OUTCOME_FAILED)
        .setDetail(
            "the agent stopped while running this command and did not run it again (it may have"
                + " taken effect in part): check the host's state before issuing it again")
        .putFacts("interrupted", "true")
        .setStartedTimeNs(now)
        .setFinishedTimeNs(now)
        .setResultSeq(sequence.next())
        .build();
  }

  private static ExecutorService lane(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The collector's clock as its Welcome gave it ({@code Welcome.collector_time_ns}): command
   * expiry is judged in collector time, so a host whose clock is off neither refuses every command
   * nor runs one the collector already reported expired.
   */
  public void collectorTime(long collectorNowNs) {
    if (collectorNowNs != 0) {
      collectorOffsetNs = collectorNowNs - WallClock.nowNanos();
    }
  }

  /** Called whenever a new result is ready to be sent (the shipper wakes up). */
  public void onResult(Runnable listener) {
    this.onResult = listener;
  }

  /** Queues a command. A command id seen before is not run again; its result is re-offered. */
  public void accept(Command command) {
    String id = command.getCommandId();
    if (!CommandJournal.ID.matcher(id).matches()) {
      log.warn(
          "refusing a command with a malformed id \"{}\" (no result can be reported for it)",
          TerminalText.escape(id, 64));
      return;
    }
    if (journal.seen(id) || !waiting.add(id)) {
      log.info("command {} received again; not running it twice", id);
      if (journal.outcome(id).isPresent()) {
        onResult.run();
      }
      return;
    }
    ExecutorService lane =
        switch (command.getActionCase()) {
          case COLLECT_FILE, SNAPSHOT, QUARANTINE, RESTORE -> slow;
          default -> urgent;
        };
    try {
      lane.execute(() -> start(command));
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      // The agent is stopping: the command was never started, so the collector re-sends it.
      waiting.remove(id);
    }
  }

  /**
   * Records the intent (synced) just before running: a command received but not started when the
   * agent stopped is not in the journal, so the collector's re-send runs it after the restart.
   */
  private void start(Command c) {
    try {
      if (!journal.intend(c.getCommandId(), c.getExpiresTimeNs())) {
        return;
      }
    } catch (java.io.UncheckedIOException e) {
      log.error(
          "command {} not run: its intent cannot be recorded ({}); the collector sends it again"
              + " after the next reconnect",
          c.getCommandId(),
          TerminalText.escape(String.valueOf(e.getCause()), 300));
      return;
    } finally {
      waiting.remove(c.getCommandId());
    }
    finish(run(c));
  }

  private CommandResult.Builder run(Command c) {
    long started = WallClock.nowNanos();
    CommandResult.Builder r =
        CommandResult.newBuilder().setCommandId(c.getCommandId()).setStartedTimeNs(started);
    long collectorNow = started + collectorOffsetNs;
    if (c.getExpiresTimeNs() != 0 && c.getExpiresTimeNs() < collectorNow) {
      return r.setOutcome(CommandResult.Outcome.OUTCOME_REJECTED)
          .setDetail(
              "command expired (at "
                  + java.time.Instant.ofEpochSecond(0, c.getExpiresTimeNs())
                  + " collector time)");
    }
    String what = c.getActionCase().name().toLowerCase(Locale.ROOT);
    log.info(
        "running command {} ({}) issued by {}",
        c.getCommandId(),
        what,
        TerminalText.escape(c.getIssuedBy(), 64));
    if (c.getActionCase() == Command.ActionCase.PING) {
      return r.setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
          .setDetail("pong " + bounded(c.getPing().getNote(), 256));
    }
    Action action = actions.get(c.getActionCase());
    if (action == null) {
      return r.setOutcome(CommandResult.Outcome.OUTCOME_REJECTED)
          .setDetail(
              c.getActionCase() == Command.ActionCase.ACTION_NOT_SET
                  ? "the command names no action this agent knows (a newer collector?)"
                  : "this agent does not run " + what + " commands (response.enabled is false?)");
    }
    try {
      action.run(c, r);
      if (r.getOutcome() == CommandResult.Outcome.OUTCOME_UNSPECIFIED) {
        r.setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED);
      }
    } catch (ActionRefusedException e) {
      r.setOutcome(CommandResult.Outcome.OUTCOME_REJECTED)
          .setDetail(String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r.setOutcome(CommandResult.Outcome.OUTCOME_FAILED)
          .setDetail("interrupted: the agent is stopping");
    } catch (Exception | Error e) {
      // Messages carry paths and names from the host: escaped, no stack trace with raw text.
      log.warn(
          "command {} ({}) failed: {}",
          c.getCommandId(),
          what,
          TerminalText.escape(String.valueOf(e), 500));
      r.setOutcome(CommandResult.Outcome.OUTCOME_FAILED)
          .setDetail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return r;
  }

  private void finish(CommandResult.Builder b) {
    b.setDetail(bounded(b.getDetail(), MAX_DETAIL));
    Map<String, String> facts = new java.util.TreeMap<>(b.getFactsMap());
    b.clearFacts();
    facts.entrySet().stream()
        .filter(e -> e.getKey().matches("[a-z0-9_]{1,64}"))
        .limit(MAX_FACTS)
        .forEach(e -> b.putFacts(e.getKey(), bounded(e.getValue(), MAX_FACT_VALUE)));
    CommandResult result =
        b.setFinishedTimeNs(WallClock.nowNanos()).setResultSeq(sequence.next()).build();
    journal.finished(result);
    // Both come from the collector's message or from files on the host: escaped, as everything
    // shown on a terminal.
    log.info(
        "command {} finished: {} {}",
        result.getCommandId(),
        result.getOutcome(),
        TerminalText.escape(result.getDetail(), 300));
    timeline.offer(
        Event.newBuilder()
            .setEventTimeNs(result.getFinishedTimeNs())
            .setSensor("response")
            .setCommandResult(result));
    onResult.run();
  }

  /** Results not yet acknowledged by the collector, oldest first. */
  public List<CommandResult> unacked() {
    return journal.unacked();
  }

  /** The collector stored these results. */
  public void acked(List<String> commandIds) {
    journal.acked(commandIds);
  }

  private static String bounded(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }

  @Override
  public void close() throws Exception {
    // Commands not started yet stay unstarted (not in the journal: the collector re-sends them);
    // a running one is interrupted (an isolation being proven rolls back).
    urgent.shutdownNow();
    slow.shutdownNow();
    urgent.awaitTermination(5, TimeUnit.SECONDS);
    slow.awaitTermination(5, TimeUnit.SECONDS);
    journal.close();
  }
}
