package io.vigil.agent.packet.stream;

/** Which way bytes travel in a TCP connection; the client is decided by the connection table. */
public enum Direction {
  /** Sent by the client (the side that sent the SYN, or else the first sender). */
  CLIENT_TO_SERVER,
  /** Sent by the server. */
  SERVER_TO_CLIENT;

  /** True for {@link #CLIENT_TO_SERVER}. */
  public boolean fromClient() {
    return this == CLIENT_TO_SERVER;
  }

  /** The other direction. */
  public Direction reverse() {
    return this == CLIENT_TO_SERVER ? SERVER_TO_CLIENT : CLIENT_TO_SERVER;
  }
}
