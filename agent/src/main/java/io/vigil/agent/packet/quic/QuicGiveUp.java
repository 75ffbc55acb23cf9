package io.vigil.agent.packet.quic;

import java.util.Locale;

/**
 * Why a {@link QuicClientHelloAssembler} stopped before it had a whole ClientHello (or a {@link
 * QuicServerHelloAssembler} before its ServerHello). Once given up, an assembler ignores further
 * datagrams: the bounds below keep a connection's cost fixed however much the client (or an
 * attacker posing as one) sends. The lower-case name is the metric label.
 */
public enum QuicGiveUp {
  /** More datagrams than {@link QuicClientHelloAssembler#MAX_DATAGRAMS} without a ClientHello. */
  TOO_MANY_DATAGRAMS,
  /** More Initial packets than {@link QuicClientHelloAssembler#MAX_INITIAL_PACKETS}. */
  TOO_MANY_PACKETS,
  /**
   * CRYPTO data past {@link QuicClientHelloAssembler#MAX_CRYPTO_BYTES}, or a ClientHello whose
   * length says it ends there.
   */
  CRYPTO_TOO_LARGE,
  /**
   * The CRYPTO stream holds more separate pieces than the reassembly keeps apart, or a piece starts
   * further past the gap before it than the reassembly buffers (8 KiB).
   */
  TOO_FRAGMENTED,
  /** The first handshake message in the client's CRYPTO stream is not a ClientHello (type 1). */
  NOT_CLIENT_HELLO,
  /**
   * The server's CRYPTO stream does not start with a ServerHello (type 2), or holds a second
   * HelloRetryRequest: {@link QuicServerHelloAssembler} only.
   */
  NOT_SERVER_HELLO;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
