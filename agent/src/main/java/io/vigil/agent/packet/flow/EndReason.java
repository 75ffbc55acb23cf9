package io.vigil.agent.packet.flow;

import java.util.Locale;

/** Why a flow record was emitted; {@link #label()} is the wire {@code Flow.end_reason}. */
public enum EndReason {
  /** TCP closed by FIN from both sides, reported after the closed-linger time. */
  FIN,
  /** TCP reset by either side, reported after the closed-linger time. */
  RST,
  /** No packet for the protocol's idle timeout. */
  IDLE_TIMEOUT,
  /** A long flow reported in parts: this part reached the active timeout and the flow goes on. */
  ACTIVE_TIMEOUT,
  /** The table was full and this was the flow idle the longest. */
  EVICTED,
  /** The capture stopped or the file ended. */
  SHUTDOWN;

  /** The wire label: the name in lower case ("idle_timeout"). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
