package io.vigil.collector.command;

import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.CommandRow;
import io.vigil.collector.store.CommandStore;
import io.vigil.collector.stream.AgentStreamListener;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's command queue. {@link #issue} records a command ({@code queued}) and sends it at
 * once when its agent is connected ({@code sent}). When an agent's stream is accepted, every
 * command of it that is queued, or sent without a result, goes down the new stream, oldest first:
 * the agent deduplicates by command id, so a re-send is safe and recovers a command lost with a
 * dropped stream. A command past its expiry is never sent: it is marked {@code expired} when found
 * at delivery and by a sweep every {@link #SWEEP_INTERVAL_MS} ms. A stored result marks it {@code
 * done}. Each delivery on connect, expiry and result is audited ({@link CommandAudit}): the row is
 * owed in the store in the same transaction as the status change, and one the audit log could not
 * take is retried by the sweep until it can.
 *
 * <p>An agent's commands reach it in issue order: {@link #issue} sends a new command directly only
 * when every older open command of the agent was written to the stream it has now (a delivery of
 * all of them went down that stream); otherwise it delivers all of them, oldest first and the new
 * one last, as {@link #deliver} does. Both run under one lock per agent, so a delivery on connect
 * and an issue never interleave, and a delivery on connect that finds the stream served already
 * sends nothing again. An agent has at most {@value #MAX_OPEN_PER_AGENT} open commands, so it never
 * owes more results than the stream accepts in one message.
 *
 * <p>Thread-safe. {@link #issue} blocks on the store on the caller's thread; the work of the {@link
 * AgentStreamListener} callbacks and the sweep runs on the queue's own thread, so the agent stream
 * and the ingest writer never wait for it. The caller owns the store and the audit log; {@link
 * #close} stops the thread and the listening, not them.
 */
public final class CommandQueue implements AgentStreamListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommandQueue.class);

  /** How often queued and sent commands past their expiry are looked for. */
  public static final long SWEEP_INTERVAL_MS = 5_000;

  /** Most commands queued or sent (without a result) for one agent; more are refused. */
  /** Release and unblock commands admitted beyond {@link #MAX_OPEN_PER_AGENT}. */
  static final int UNDO_HEADROOM = 20;

  public static final int MAX_OPEN_PER_AGENT = 100;

  /**
   * An owed audit row is retried by the sweep once it is this old (younger ones may still be being
   * written by the thread that changed the status; a retry then would write the row twice).
   */
  static final long REAUDIT_AFTER_MS = 60_000;

  /** Owed audit rows retried per sweep, at most. */
  static final int REAUDIT_BATCH = 500;

  private final CommandStore store;
  private final CommandAudit audit;
  private final ConnectedAgents agents;
  private final LongSupplier nowNs;
  private final ScheduledExecutorService worker;
  private final long reauditAfterNs;

  /** One lock per agent id: an issue's send and a delivery of the same agent never interleave. */
  private final ConcurrentHashMap<String, Object> agentLocks = new ConcurrentHashMap<>();

  /**
   * By agent id, the stream ({@link ConnectedAgents#stream}) down which a delivery wrote all the
   * agent's open commands; later commands sent directly went down it too. Guarded by the agent's
   * lock.
   */
  private final ConcurrentHashMap<String, Object> deliveredOn = new ConcurrentHashMap<>();

  /**
   * @param store the command queue table, owned by the caller
   * @param audit the collector's one audit log, owned by the caller
   * @param agents the connected agents; {@link #start} registers this queue as their listener
   * @param nowNs the collector's clock, UTC ns (expiries are in collector time)
   */
  public CommandQueue(
      CommandStore store, AuditLog audit, ConnectedAgents agents, LongSupplier nowNs) {
    this(store, audit, agents, nowNs, REAUDIT_AFTER_MS);
  }

  /** As above, retrying owed audit rows once they are {@code reauditAfterMs} old (tests: 0). */
  CommandQueue(
      CommandStore store,
      AuditLog audit,
      ConnectedAgents agents,
      LongSupplier nowNs,
      long reauditAfterMs) {
    this.store = store;
    this.audit = new CommandAudit(audit);
    this.reauditAfterNs = reauditAfterMs * 1_000_000L;
    this.agents = agents;
    this.nowNs = nowNs;
    ScheduledThreadPoolExecutor w =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "vigil-command-queue");
              t.setDaemon(true);
              return t;
            });
    w.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.worker = w;
  }

  /**
   * Listens to the agents' streams and starts the expiry sweep; also delivers to agents connected
   * already (their connect was before this queue listened).
   */
  public void start() {
    agents.listen(this);
    worker.scheduleWithFixedDelay(
        () -> {
          // Separately guarded: a failing expiry must not keep owed audit rows from being written.
          guarded("the expiry sweep", this::expireOverdue).run();
          guarded("the owed audit rows", this::reaudit).run();
        },
        SWEEP_INTERVAL_MS,
        SWEEP_INTERVAL_MS,
        TimeUnit.MILLISECONDS);
    for (String id : agents.ids()) {
      connected(id);
    }
  }

  /** The connected agents this queue sends to. */
  public ConnectedAgents agents() {
    return agents;
  }

  /** The table behind the queue, for the operator API's reads. */
  public CommandStore store() {
    return store;
  }

  /**
   * Records a command and sends it when its agent is connected, after the agent's older open
   * commands (see the class comment).
   *
   * @param agentId the agent it is for
   * @param command as the agent receives it (id, issuer, issue and expiry times, action)
   * @param action the action's name, e.g. {@code kill}
   * @param argumentsJson the action's arguments as JSON, no secret
   * @return {@code sent} or {@code queued}
   * @throws TooManyOpenCommandsException when the agent has {@value #MAX_OPEN_PER_AGENT} open
   *     commands already (nothing was recorded)
   * @throws io.vigil.collector.store.StoreException when it cannot be recorded (nothing was sent)
   */
  public String issue(String agentId, Command command, String action, String argumentsJson) {
    synchronized (lockOf(agentId)) {
      List<CommandRow> older = store.open(agentId);
      // Release and unblock only loosen: a full queue must never keep a host isolated or blocked.
      boolean undo = action.equals("release") || action.equals("unblock");
      if (older.size() >= (undo ? MAX_OPEN_PER_AGENT + UNDO_HEADROOM : MAX_OPEN_PER_AGENT)) {
        throw new TooManyOpenCommandsException(
            "agent "
                + agentId
                + " has "
                + older.size()
                + " commands queued or without a result already (at most "
                + MAX_OPEN_PER_AGENT
                + "): nothing was queued; wait for their results or expiry");
      }
      store.insert(
          new CommandRow(
              command.getCommandId(),
              agentId,
              action,
              argumentsJson,
              command.getIssuedBy(),
              command.getIssuedTimeNs(),
              command.getExpiresTimeNs(),
              command.toByteArray(),
              CommandRow.QUEUED,
              0,
              0));
      Object stream = agents.stream(agentId);
      boolean olderOnThisStream =
          stream != null
              && stream == deliveredOn.get(agentId)
              && older.stream().noneMatch(c -> c.status().equals(CommandRow.QUEUED));
      if (!older.isEmpty() && !olderOnThisStream) {
        // An older command may not be on this stream yet (queued, or sent on a stream that broke):
        // send them all again, oldest first, and this one last. The agent ignores ids it has.
        deliverLocked(agentId, command.getCommandId());
        return store
            .get(command.getCommandId())
            .map(CommandRow::status)
            .filter(CommandRow.SENT::equals)
            .orElse(CommandRow.QUEUED);
      }
      // Recorded before the send: a connect that happens meanwhile finds it queued and delivers it
      // (after this, under the same lock), so it is never lost between the two.
      if (agents.send(agentId, command)) {
        store.markSent(command.getCommandId(), nowNs.getAsLong());
        return CommandRow.SENT;
      }
      return CommandRow.QUEUED;
    }
  }

  private Object lockOf(String agentId) {
    return agentLocks.computeIfAbsent(agentId, id -> new Object());
  }

  /** The command with this id as recorded now. */
  public Optional<CommandRow> command(String commandId) {
    return store.get(commandId);
  }

  @Override
  public void connected(String agentId) {
    submit("delivery to agent " + agentId, () -> deliverOnConnect(agentId));
  }

  /** Delivers unless an issue delivered on this stream already (then it holds everything). */
  private void deliverOnConnect(String agentId) {
    synchronized (lockOf(agentId)) {
      Object stream = agents.stream(agentId);
      if (stream != null && stream == deliveredOn.get(agentId)) {
        return;
      }
      deliverLocked(agentId, null);
    }
  }

  /**
   * A counter of stored result batches: a caller waiting for a result reads it, checks the store,
   * and waits for it to change ({@link #awaitResults}) instead of polling on a fixed tick.
   */
  private long resultGeneration;

  /** The current result generation (see {@link #awaitResults}). */
  public synchronized long resultGeneration() {
    return resultGeneration;
  }

  /** Waits until results were stored after {@code generation} was read, or {@code maxMs} passed. */
  public synchronized void awaitResults(long generation, long maxMs) throws InterruptedException {
    long deadline = System.nanoTime() + maxMs * 1_000_000L;
    long left;
    while (resultGeneration == generation && (left = deadline - System.nanoTime()) > 0) {
      wait(Math.max(1, left / 1_000_000L));
    }
  }

  @Override
  public void resultsStored(String agentId, List<CommandResult> results) {
    // Committed in command_results already: wake waiting SendCommand calls now.
    synchronized (this) {
      resultGeneration++;
      notifyAll();
    }
    List<CommandResult> copy = List.copyOf(results);
    submit("results of agent " + agentId, () -> recordResults(agentId, copy));
  }

  /**
   * Sends the agent every command of it that is queued or sent without result, oldest first, and
   * expires those past their expiry instead. Runs on the caller's thread.
   *
   * @return how many were sent
   */
  public int deliver(String agentId) {
    synchronized (lockOf(agentId)) {
      return deliverLocked(agentId, null);
    }
  }

  /**
   * {@link #deliver(String)} under the agent's lock; {@code issuing} (or null) is the command being
   * issued, whose send its SendCommand call audits.
   */
  private int deliverLocked(String agentId, String issuing) {
    Object stream = agents.stream(agentId);
    boolean all = true;
    int sent = 0;
    for (CommandRow c : store.open(agentId)) {
      long now = nowNs.getAsLong();
      if (closedByStoredResult(c)) {
        continue;
      }
      if (c.expiredAt(now)) {
        expire(c, now);
        continue;
      }
      Command command;
      try {
        command = Command.parseFrom(c.payload());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        log.error("command {} of agent {} is unreadable in the store", c.commandId(), agentId, e);
        continue;
      }
      if (!agents.send(agentId, command)) {
        log.debug("agent {} went away while its commands were delivered", agentId);
        all = false;
        break;
      }
      sent++;
      boolean owesAudit = !c.commandId().equals(issuing);
      long at = nowNs.getAsLong();
      Optional<String> before = store.markSent(c.commandId(), at, owesAudit);
      if (owesAudit && before.isPresent() && before.get().equals(CommandRow.QUEUED)) {
        if (audit.sent(c, at)) {
          store.audited(c.commandId(), CommandStore.AUDIT_SENT);
        }
      }
    }
    if (all && stream != null && stream == agents.stream(agentId)) {
      deliveredOn.put(agentId, stream);
    } else {
      deliveredOn.remove(agentId);
    }
    if (sent > 0) {
      log.info("sent {} waiting command(s) to agent {}", sent, agentId);
    }
    return sent;
  }

  /**
   * Marks the commands of stored results done and audits each result once (a result the agent
   * re-sent, or of a command this queue does not know for that agent, changes nothing). Runs on the
   * caller's thread.
   *
   * @return how many commands it marked done
   */
  public int recordResults(String agentId, List<CommandResult> results) {
    int done = 0;
    for (CommandResult r : results) {
      long now = nowNs.getAsLong();
      Optional<CommandRow> before = store.markDone(agentId, r.getCommandId(), now);
      if (before.isPresent()) {
        done++;
        if (audit.result(before.get(), r, now)) {
          store.audited(r.getCommandId(), CommandStore.AUDIT_RESULT);
        }
      }
    }
    return done;
  }

  /**
   * Marks every queued or sent command past its expiry {@code expired}, with its audit row. Runs on
   * the caller's thread.
   *
   * @return how many it expired
   */
  public int expireOverdue() {
    int n = 0;
    long now = nowNs.getAsLong();
    for (CommandRow c : store.overdue(now)) {
      if (expire(c, now)) {
        n++;
      }
    }
    return n;
  }

  private boolean expire(CommandRow c, long now) {
    if (closedByStoredResult(c)) {
      return false;
    }
    if (!store.markExpired(c.commandId(), now)) {
      return false; // done or expired meanwhile
    }
    log.info(
        "command {} ({}) for agent {} expired while {}",
        c.commandId(),
        c.action(),
        c.agentId(),
        c.status());
    if (audit.expired(c, now)) {
      store.audited(c.commandId(), CommandStore.AUDIT_EXPIRED);
    }
    return true;
  }

  /**
   * Writes the audit rows owed for longer than the retry delay (their first write failed, or the
   * collector stopped before it), and records each one written. Runs on the caller's thread.
   *
   * @return how many it wrote
   */
  public int reaudit() {
    int n = 0;
    long now = nowNs.getAsLong();
    for (CommandStore.PendingAudit p : store.pendingAudits(now - reauditAfterNs, REAUDIT_BATCH)) {
      Optional<CommandRow> row = store.get(p.commandId());
      if (row.isEmpty()) {
        store.audited(p.commandId(), p.event()); // the command is gone: nothing to audit
        continue;
      }
      CommandRow c = row.get();
      CommandRow before =
          new CommandRow(
              c.commandId(),
              c.agentId(),
              c.action(),
              c.argumentsJson(),
              c.issuedBy(),
              c.issuedNs(),
              c.expiresNs(),
              c.payload(),
              p.priorStatus(),
              c.sentNs(),
              c.doneNs());
      boolean written =
          switch (p.event()) {
            case CommandStore.AUDIT_SENT -> audit.sent(before, p.atNs());
            case CommandStore.AUDIT_EXPIRED -> audit.expired(before, p.atNs());
            default ->
                audit.result(
                    before,
                    store
                        .storedResult(c.agentId(), c.commandId())
                        .orElse(CommandResult.newBuilder().setCommandId(c.commandId()).build()),
                    p.atNs());
          };
      if (!written) {
        break; // the log is still unavailable: the next sweep tries again
      }
      store.audited(p.commandId(), p.event());
      n++;
    }
    if (n > 0) {
      log.info("wrote {} owed command audit row(s)", n);
    }
    return n;
  }

  /**
   * Marks a command done whose result is stored already although this queue was not told (it was
   * stopped in between): such a command is neither re-sent nor expired.
   */
  private boolean closedByStoredResult(CommandRow c) {
    if (!c.status().equals(CommandRow.SENT)) {
      return false;
    }
    Optional<CommandResult> r = store.storedResult(c.agentId(), c.commandId());
    if (r.isEmpty()) {
      return false;
    }
    recordResults(c.agentId(), List.of(r.get()));
    return true;
  }

  private void submit(String what, Runnable work) {
    try {
      worker.execute(guarded(what, work));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("command queue closed: {} dropped (done at the next connect)", what);
    }
  }

  private static Runnable guarded(String what, Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        // The sweep must survive a failing store; a delivery is retried at the next connect.
        log.error("command queue: {} failed", what, e);
      }
    };
  }

  /** Stops listening and the queue's thread (work in progress finishes, within 5 s). */
  @Override
  public void close() {
    agents.listen(AgentStreamListener.NONE);
    worker.shutdown();
    try {
      if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
