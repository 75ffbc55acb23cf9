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
 * done}. Each delivery on connect, expiry and result is audited ({@link CommandAudit}).
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

  private final CommandStore store;
  private final CommandAudit audit;
  private final ConnectedAgents agents;
  private final LongSupplier nowNs;
  private final ScheduledExecutorService worker;

  /**
   * @param store the command queue table, owned by the caller
   * @param audit the collector's one audit log, owned by the caller
   * @param agents the connected agents; {@link #start} registers this queue as their listener
   * @param nowNs the collector's clock, UTC ns (expiries are in collector time)
   */
  public CommandQueue(
      CommandStore store, AuditLog audit, ConnectedAgents agents, LongSupplier nowNs) {
    this.store = store;
    this.audit = new CommandAudit(audit);
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
        guarded("the expiry sweep", this::expireOverdue),
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
   * Records a command and sends it when its agent is connected.
   *
   * @param agentId the agent it is for
   * @param command as the agent receives it (id, issuer, issue and expiry times, action)
   * @param action the action's name, e.g. {@code kill}
   * @param argumentsJson the action's arguments as JSON, no secret
   * @return {@code sent} or {@code queued}
   * @throws io.vigil.collector.store.StoreException when it cannot be recorded (nothing was sent)
   */
  public String issue(String agentId, Command command, String action, String argumentsJson) {
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
    // Recorded before the send: a connect that happens meanwhile finds it queued and delivers it,
    // so it is never lost between the two (at worst sent twice, which the agent ignores).
    if (agents.send(agentId, command)) {
      store.markSent(command.getCommandId(), nowNs.getAsLong());
      return CommandRow.SENT;
    }
    return CommandRow.QUEUED;
  }

  /** The command with this id as recorded now. */
  public Optional<CommandRow> command(String commandId) {
    return store.get(commandId);
  }

  @Override
  public void connected(String agentId) {
    submit("delivery to agent " + agentId, () -> deliver(agentId));
  }

  @Override
  public void resultsStored(String agentId, List<CommandResult> results) {
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
        break;
      }
      sent++;
      Optional<String> before = store.markSent(c.commandId(), nowNs.getAsLong());
      if (before.isPresent() && before.get().equals(CommandRow.QUEUED)) {
        audit.sent(c, nowNs.getAsLong());
      }
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
        audit.result(before.get(), r, now);
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
    if (!store.markExpired(c.commandId())) {
      return false; // done or expired meanwhile
    }
    log.info(
        "command {} ({}) for agent {} expired while {}",
        c.commandId(),
        c.action(),
        c.agentId(),
        c.status());
    audit.expired(c, now);
    return true;
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
