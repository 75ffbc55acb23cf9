package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Context;
import io.grpc.Status;
import io.vigil.collector.store.CommandResultRow;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.stream.ConnectedAgents;
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
 * SendCommand: builds the command (a random UUID as its id, the operator as {@code issued_by}),
 * sends it down the agent's live stream and waits up to {@code wait_ms} for its result by polling
 * the store, where ingest writes every command result. There is no command queue yet (issue #10):
 * an agent that is not connected gets nothing, and the reply says so. At most {@value #MAX_WAITING}
 * calls wait at once; one more that asks to wait is refused (RESOURCE_EXHAUSTED) before anything is
 * sent. A waiting call ends early when its caller cancels it. Thread-safe; blocks while waiting.
 */
final class CommandCalls {
  /** How long a command stays valid when the request does not say. */
  static final long DEFAULT_TTL_MS = 10 * 60 * 1000L;

  /** Longest wait for a result: a call must not hold a server thread for long. */
  static final long MAX_WAIT_MS = 120_000;

  /**
   * SendCommand calls that may wait for a result at once: each holds a server thread and polls the
   * store, so a responder (or a stolen responder token) must not be able to start thousands.
   */
  static final int MAX_WAITING = 16;

  private static final long POLL_MS = 100;

  /** What was done, with the audit outcome and detail of it. */
  record Sent(SendCommandReply reply, String outcome, String detail) {}

  private final AgentCalls agents;
  private final ConnectedAgents connected;
  private final StoreReader reader;
  private final LongSupplier nowNs;
  private final Semaphore waiting = new Semaphore(MAX_WAITING);

  CommandCalls(
      AgentCalls agents, ConnectedAgents connected, StoreReader reader, LongSupplier nowNs) {
    this.agents = agents;
    this.connected = connected;
    this.reader = reader;
    this.nowNs = nowNs;
  }

  /**
   * Sends the command and waits for its result.
   *
   * @param audit called once the command was sent, found undeliverable or refused because too many
   *     calls wait, before waiting, with the outcome and detail to audit (so the outcome row exists
   *     however long the wait is)
   */
  SendCommandReply send(Principal p, SendCommandRequest r, AuditHook audit)
      throws InterruptedException {
    if (r.getActionCase() == SendCommandRequest.ActionCase.ACTION_NOT_SET) {
      throw new IllegalArgumentException("action: the request names no command (ping)");
    }
    AgentRecord agent = agents.resolve(r.getHost());
    long now = nowNs.getAsLong();
    long ttlMs = r.getTtlMs() == 0 ? DEFAULT_TTL_MS : Integer.toUnsignedLong(r.getTtlMs());
    Command.Builder c =
        Command.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setIssuedBy(p.operator())
            .setIssuedTimeNs(now)
            .setExpiresTimeNs(now + ttlMs * 1_000_000L);
    switch (r.getActionCase()) {
      case PING -> c.setPing(r.getPing());
      default -> throw new IllegalArgumentException("action: unknown command");
    }
    Command command = c.build();
    String agentId = agent.getAgentId();
    SendCommandReply.Builder reply =
        SendCommandReply.newBuilder().setCommandId(command.getCommandId()).setAgentId(agentId);
    String what = r.getActionCase().name().toLowerCase(java.util.Locale.ROOT);
    long waitMs = Math.min(Integer.toUnsignedLong(r.getWaitMs()), MAX_WAIT_MS);
    if (waitMs > 0 && !waiting.tryAcquire()) {
      String why =
          MAX_WAITING
              + " SendCommand calls are waiting for results already; nothing was sent: try again"
              + " when fewer wait, or with wait_ms 0 (sent without waiting for the result)";
      audit.sent("failed", what + ": " + why);
      throw Status.RESOURCE_EXHAUSTED.withDescription(why).asRuntimeException();
    }
    try {
      if (!connected.send(agentId, command)) {
        String why =
            "agent "
                + agentId
                + " is not connected; the command was not sent (there is no command queue until"
                + " issue #10: send it again when the agent is connected)";
        audit.sent("failed", what + " " + command.getCommandId() + ": " + why);
        return reply.setStatus("not_connected").build();
      }
      audit.sent("ok", what + " " + command.getCommandId() + " sent to agent " + agentId);
      return waitFor(reply, agentId, command.getCommandId(), waitMs);
    } finally {
      if (waitMs > 0) {
        waiting.release();
      }
    }
  }

  /** Polls the store for the result until {@code waitMs} passed or the caller gave up. */
  private SendCommandReply waitFor(
      SendCommandReply.Builder reply, String agentId, String commandId, long waitMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    Context context = Context.current();
    while (true) {
      Optional<CommandResultRow> row = reader.commandResult(agentId, commandId);
      if (row.isPresent()) {
        return reply.setStatus("done").setResult(result(row.get())).build();
      }
      if (System.nanoTime() >= deadline || context.isCancelled()) {
        // A cancelled caller reads no reply; ending frees the thread and the waiting slot.
        return reply.setStatus("sent").build();
      }
      Thread.sleep(POLL_MS);
    }
  }

  /** Receives the audit outcome of a command as soon as it is known. */
  interface AuditHook {
    void sent(String outcome, String detail);
  }

  private static CommandResult result(CommandResultRow row) {
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
