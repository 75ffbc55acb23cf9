package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Context;
import io.grpc.Status;
import io.vigil.collector.command.CommandQueue;
import io.vigil.collector.command.TooManyOpenCommandsException;
import io.vigil.collector.store.CommandResultRow;
import io.vigil.collector.store.CommandRow;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * SendCommand: checks the action's arguments ({@link CommandArguments}), builds the command (a
 * random UUID as its id, the operator as {@code issued_by}, an expiry in collector time), hands it
 * to the {@link CommandQueue} (which sends it at once when the agent is connected, and otherwise
 * when it next connects before the expiry) and waits up to {@code wait_ms} for its result by
 * polling the store, where ingest writes every command result. The reply's status is {@code done}
 * (with the result), {@code expired}, {@code sent} (on the agent's stream, no result yet) or {@code
 * queued} (the agent is not connected). At most {@value #MAX_WAITING} calls wait at once; one more
 * that asks to wait is refused (RESOURCE_EXHAUSTED) before anything is queued. A waiting call ends
 * early when its caller cancels it. Thread-safe; blocks while waiting.
 */
final class CommandCalls {
  /** How long a command stays valid when the request does not say. */
  static final long DEFAULT_TTL_MS = 10 * 60 * 1000L;

  /** Longest wait for a result: a call must not hold a server thread for long. */
  static final long MAX_WAIT_MS = 120_000;

  /**
   * SendCommand calls that may wait for a result at once: each holds a server thread, so a
   * responder (or a stolen responder token) must not be able to start thousands.
   */
  static final int MAX_WAITING = 16;

  /**
   * Longest a command stays valid: a containment command must not wait for an offline host for
   * weeks and run when nobody remembers it (vigilctl's --ttl has the same cap).
   */
  static final long MAX_TTL_MS = 7L * 24 * 3600 * 1000;

  /**
   * A waiting call is woken when results are stored; it also looks again this often, to notice
   * expiry and a caller that left.
   */
  private static final long RECHECK_MS = 100;

  private final AgentCalls agents;
  private final CommandQueue queue;
  private final StoreReader reader;
  private final LongSupplier nowNs;
  private final Semaphore waiting = new Semaphore(MAX_WAITING);

  CommandCalls(AgentCalls agents, CommandQueue queue, StoreReader reader, LongSupplier nowNs) {
    this.agents = agents;
    this.queue = queue;
    this.reader = reader;
    this.nowNs = nowNs;
  }

  /**
   * Queues the command, sends it when the agent is connected, and waits for its result.
   *
   * @param audit called once the command was queued or sent, or refused because too many calls
   *     wait, before waiting, with the outcome and detail to audit (so the outcome row exists
   *     however long the wait is)
   */
  SendCommandReply send(Principal p, SendCommandRequest r, AuditHook audit)
      throws InterruptedException {
    if (r.getActionCase() == SendCommandRequest.ActionCase.ACTION_NOT_SET) {
      CommandArguments.check(r, "", "", (a, pid) -> Optional.empty()); // throws, naming them
    }
    AgentRecord agent = agents.resolve(r.getHost());
    String agentId = agent.getAgentId();
    if (agent.getRevokedNs() != 0) {
      throw new IllegalStateException(
          "agent " + agentId + " is revoked: it gets no commands (it may no longer connect)");
    }
    CommandArguments.Checked action =
        CommandArguments.check(r, agentId, r.getHost(), queue.store()::newestEntityId);
    long now = nowNs.getAsLong();
    long ttlMs = r.getTtlMs() == 0 ? DEFAULT_TTL_MS : Integer.toUnsignedLong(r.getTtlMs());
    if (ttlMs > MAX_TTL_MS) {
      throw new IllegalArgumentException(
          "ttl_ms: at most " + MAX_TTL_MS + " (7 days), got " + ttlMs);
    }
    Command.Builder c =
        Command.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setIssuedBy(p.operator())
            .setIssuedTimeNs(now)
            .setExpiresTimeNs(now + ttlMs * 1_000_000L);
    CommandArguments.apply(action, c);
    Command command = c.build();
    SendCommandReply.Builder reply =
        SendCommandReply.newBuilder().setCommandId(command.getCommandId()).setAgentId(agentId);
    String what = action.name() + " " + command.getCommandId();
    long waitMs = Math.min(Integer.toUnsignedLong(r.getWaitMs()), MAX_WAIT_MS);
    if (waitMs > 0 && !waiting.tryAcquire()) {
      String why =
          MAX_WAITING
              + " SendCommand calls are waiting for results already; nothing was sent: try again"
              + " when fewer wait, or with wait_ms 0 (sent without waiting for the result)";
      audit.sent("failed", action.name() + ": " + why);
      throw Status.RESOURCE_EXHAUSTED.withDescription(why).asRuntimeException();
    }
    try {
      String status;
      try {
        status = queue.issue(agentId, command, action.name(), action.argumentsJson());
      } catch (TooManyOpenCommandsException e) {
        throw Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
      }
      if (status.equals(CommandRow.SENT)) {
        audit.sent("ok", what + " sent to agent " + agentId);
      } else {
        audit.sent(
            "ok",
            what
                + " queued: agent "
                + agentId
                + " is not connected; it waits until "
                + WallClock.toInstant(command.getExpiresTimeNs())
                + " (its expiry)");
      }
      if (waitMs == 0) {
        return reply.setStatus(status).build();
      }
      return waitFor(reply, agentId, command.getCommandId(), waitMs);
    } finally {
      if (waitMs > 0) {
        waiting.release();
      }
    }
  }

  /**
   * Reads the store for the result (woken when results arrive) until {@code waitMs} passed, it
   * expired, or the caller left.
   */
  private SendCommandReply waitFor(
      SendCommandReply.Builder reply, String agentId, String commandId, long waitMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    Context context = Context.current();
    while (true) {
      long generation = queue.resultGeneration();
      Optional<CommandResultRow> row = reader.commandResult(agentId, commandId);
      if (row.isPresent()) {
        return reply.setStatus(CommandRow.DONE).setResult(result(row.get())).build();
      }
      String status = queue.command(commandId).map(CommandRow::status).orElse(CommandRow.QUEUED);
      if (status.equals(CommandRow.EXPIRED)
          || System.nanoTime() >= deadline
          || context.isCancelled()) {
        // A cancelled caller reads no reply; ending frees the thread and the waiting slot. A
        // command marked done has its result in the store by then: read it on the next round.
        if (!status.equals(CommandRow.DONE)) {
          return reply.setStatus(status).build();
        }
      }
      // Woken as soon as any result is stored; the tick also notices expiry and cancellation.
      queue.awaitResults(generation, RECHECK_MS);
    }
  }

  /** Receives the audit outcome of a command as soon as it is known. */
  interface AuditHook {
    void sent(String outcome, String detail);
  }

  /** The stored result as the agent sent it. */
  static CommandResult result(CommandResultRow row) {
    try {
      return CommandResult.parseFrom(row.payload());
    } catch (InvalidProtocolBufferException e) {
      // Stored results were parsed at ingest; fall back to the columns.
      return CommandResult.newBuilder()
          .setCommandId(row.commandId())
          .setDetail(row.detail())
          .setFinishedTimeNs(row.finishedNs())
          .build();
    }
  }
}
