package io.vigil.agent.response;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands one at a time on its own thread and holds their results until acknowledged. {@link
 * #accept} may be called from any thread; the rest is thread-safe too.
 */
public final class CommandDispatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

  /** Ids of finished commands remembered to answer a re-sent command without running it again. */
  private static final int REMEMBERED = 10_000;

  private final ResultSequence sequence;
  private final EventSink timeline;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "vigil-commands");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, CommandResult> unacked = new LinkedHashMap<>();
  private final Map<String, Boolean> seen =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
          return size() > REMEMBERED;
        }
      };
  private volatile Runnable onResult = () -> {};

  public CommandDispatcher(ResultSequence sequence, EventSink timeline) {
    this.sequence = sequence;
    this.timeline = timeline;
  }

  /** Called whenever a new result is ready to be sent (the shipper wakes up). */
  public void onResult(Runnable listener) {
    this.onResult = listener;
  }

  /** Queues a command. A command id seen before is not run again; its result is re-offered. */
  public void accept(Command command) {
    synchronized (this) {
      if (seen.containsKey(command.getCommandId())) {
        log.info(
            "command {} received again; not running it twice",
            TerminalText.escape(command.getCommandId(), 64));
        return;
      }
      seen.put(command.getCommandId(), Boolean.TRUE);
    }
    worker.execute(() -> finish(run(command)));
  }

  private CommandResult.Builder run(Command c) {
    long started = WallClock.nowNanos();
    CommandResult.Builder r =
        CommandResult.newBuilder().setCommandId(c.getCommandId()).setStartedTimeNs(started);
    if (c.getExpiresTimeNs() != 0 && c.getExpiresTimeNs() < started) {
      return r.setOutcome(CommandResult.Outcome.OUTCOME_REJECTED).setDetail("command expired");
    }
    return switch (c.getActionCase()) {
      case PING ->
          r.setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
              .setDetail("pong " + bounded(c.getPing().getNote()));
      default ->
          r.setOutcome(CommandResult.Outcome.OUTCOME_REJECTED)
              .setDetail("this agent does not know action " + c.getActionCase());
    };
  }

  private void finish(CommandResult.Builder b) {
    CommandResult result =
        b.setFinishedTimeNs(WallClock.nowNanos()).setResultSeq(sequence.next()).build();
    synchronized (this) {
      unacked.put(result.getCommandId(), result);
    }
    // Both come from the collector's message: escaped, as everything shown on a terminal.
    log.info(
        "command {} finished: {} {}",
        TerminalText.escape(result.getCommandId(), 64),
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
  public synchronized List<CommandResult> unacked() {
    return new ArrayList<>(unacked.values());
  }

  /** The collector stored these results. */
  public synchronized void acked(List<String> commandIds) {
    commandIds.forEach(unacked::remove);
  }

  private static String bounded(String s) {
    return s.length() <= 256 ? s : s.substring(0, 256);
  }

  @Override
  public void close() throws InterruptedException {
    worker.shutdown();
    worker.awaitTermination(5, TimeUnit.SECONDS);
  }
}
