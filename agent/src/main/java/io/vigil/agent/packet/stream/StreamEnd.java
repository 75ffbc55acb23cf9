package io.vigil.agent.packet.stream;

/** Why a TCP connection's streams ended. */
public enum StreamEnd {
  /** Both directions sent FIN (every byte up to them delivered, or the closed linger passed). */
  FIN,
  /** Either side sent RST. */
  RST,
  /** No packet for the idle timeout (packet time). */
  IDLE_TIMEOUT,
  /** The connection table was full and this connection had been idle the longest. */
  EVICTED,
  /**
   * The client sent a new SYN with another initial sequence number: a new connection reuses the
   * ports.
   */
  REUSED,
  /** {@link TcpStreams#finish} (the capture ended). */
  SHUTDOWN
}
