package io.vigil.collector.stream;

import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents that have a live stream, by agent id. A newer stream from the same agent replaces the
 * older one (which is then closed), so half-open connections after a network failure do not linger.
 * Streams are registered under the agent id their client certificate names (with TLS), so a command
 * for an agent only ever goes down that agent's own stream. One {@link AgentStreamListener} (the
 * command queue) is told when a stream is accepted and when command results are stored.
 * Thread-safe.
 */
public final class ConnectedAgents {
  private static final Logger log = LoggerFactory.getLogger(ConnectedAgents.class);

  private final Map<String, AgentStreamCall> streams = new ConcurrentHashMap<>();
  private volatile AgentStreamListener listener = AgentStreamListener.NONE;

  /**
   * Sets the one listener (replacing the one before; {@link AgentStreamListener#NONE} to stop
   * telling anyone).
   */
  public void listen(AgentStreamListener l) {
    listener = l == null ? AgentStreamListener.NONE : l;
  }

  /**
   * Registers {@code call} as the agent's stream and returns the one it replaces, which the caller
   * supersedes (outside its own lock: superseding takes the other stream's lock).
   */
  AgentStreamCall put(String agentId, AgentStreamCall call) {
    return streams.put(agentId, call);
  }

  void unregister(String agentId, AgentStreamCall call) {
    streams.remove(agentId, call);
  }

  /** Tells the listener that the agent's stream was accepted (after its Welcome). */
  void connected(String agentId) {
    try {
      listener.connected(agentId);
    } catch (RuntimeException e) {
      log.error("the stream listener failed on the connect of agent {}", agentId, e);
    }
  }

  /** Tells the listener that the agent's results were stored. */
  void resultsStored(String agentId, List<CommandResult> results) {
    try {
      listener.resultsStored(agentId, results);
    } catch (RuntimeException e) {
      log.error("the stream listener failed on results of agent {}", agentId, e);
    }
  }

  /** Ends every agent stream (the collector is stopping); agents reconnect with backoff. */
  void closeAll(String why) {
    streams.values().forEach(call -> call.close(why));
  }

  /**
   * Closes an agent's live stream with UNAUTHENTICATED and {@code why} (its revocation): the agent
   * is told why and its reconnects are refused.
   *
   * @return false when the agent had no live stream
   */
  public boolean close(String agentId, String why) {
    AgentStreamCall call = streams.get(agentId);
    if (call == null) {
      return false;
    }
    call.refuse("revoked", why);
    return true;
  }

  /** Ids of the agents connected now. */
  public Set<String> ids() {
    return Set.copyOf(streams.keySet());
  }

  /**
   * The agent's live stream as an opaque identity (equal only to itself; null when none), so the
   * command queue can tell whether what it wrote went down the stream the agent has now.
   */
  public Object stream(String agentId) {
    return streams.get(agentId);
  }

  /**
   * Sends a command down the agent's stream.
   *
   * @return false when the agent is not connected, or its stream was not welcomed yet (then the
   *     listener's {@code connected} follows)
   */
  public boolean send(String agentId, Command command) {
    AgentStreamCall call = streams.get(agentId);
    return call != null && call.sendCommand(command);
  }
}
