package io.vigil.agent.packet.flow;

/**
 * A TCP connection's history as bits, and its outcome in Zeek's {@code conn_state} codes.
 * Implemented subset, from what the two directions' SYN, SYN-ACK, FIN and RST say (Zeek also looks
 * at sequence numbers and payload, which this does not):
 *
 * <ul>
 *   <li>S0: the client's SYN, no SYN-ACK.
 *   <li>S1: established (client SYN, server SYN-ACK), not closed.
 *   <li>SF: established and closed by FIN from both sides.
 *   <li>REJ: the client's SYN answered by RST, no SYN-ACK.
 *   <li>S2 / S3: established, FIN from the client only / from the server only.
 *   <li>RSTO / RSTR: established, then reset, the client / the server sending the first RST.
 *   <li>RSTOS0: the client sent SYN then RST, no SYN-ACK seen.
 *   <li>RSTRH: the server sent SYN-ACK then RST, the client's SYN never seen.
 *   <li>SH: the client sent SYN then FIN, no SYN-ACK seen.
 *   <li>SHR: the server sent SYN-ACK then FIN, the client's SYN never seen.
 *   <li>OTH: no SYN seen: mid-stream traffic (and a bare SYN-ACK with neither RST nor FIN after).
 * </ul>
 *
 * Stateless.
 */
final class ConnState {
  static final int ORIG_SYN = 1;
  static final int RESP_SYN_ACK = 1 << 1;
  static final int ORIG_FIN = 1 << 2;
  static final int RESP_FIN = 1 << 3;
  static final int ORIG_RST = 1 << 4;
  static final int RESP_RST = 1 << 5;

  /** Set with the first RST when the client sent it. */
  static final int FIRST_RST_ORIG = 1 << 6;

  static final int TCP_FIN = 0x01;
  static final int TCP_SYN = 0x02;
  static final int TCP_RST = 0x04;
  static final int TCP_ACK = 0x10;

  private ConnState() {}

  /** {@code bits} updated with one packet's {@code flags} sent by the client or the server. */
  static int update(int bits, boolean fromClient, int flags) {
    boolean syn = (flags & TCP_SYN) != 0;
    boolean ack = (flags & TCP_ACK) != 0;
    if ((flags & TCP_RST) != 0 && (bits & (ORIG_RST | RESP_RST)) == 0 && fromClient) {
      bits |= FIRST_RST_ORIG;
    }
    if (fromClient) {
      if (syn && !ack) {
        bits |= ORIG_SYN;
      }
      if ((flags & TCP_FIN) != 0) {
        bits |= ORIG_FIN;
      }
      if ((flags & TCP_RST) != 0) {
        bits |= ORIG_RST;
      }
    } else {
      if (syn && ack) {
        bits |= RESP_SYN_ACK;
      }
      if ((flags & TCP_FIN) != 0) {
        bits |= RESP_FIN;
      }
      if ((flags & TCP_RST) != 0) {
        bits |= RESP_RST;
      }
    }
    return bits;
  }

  /** True once the connection is over: reset by either side, or FIN from both. */
  static boolean closed(int bits) {
    return (bits & (ORIG_RST | RESP_RST)) != 0
        || (bits & (ORIG_FIN | RESP_FIN)) == (ORIG_FIN | RESP_FIN);
  }

  static boolean reset(int bits) {
    return (bits & (ORIG_RST | RESP_RST)) != 0;
  }

  /** The Zeek conn_state code. */
  static String of(int bits) {
    boolean origSyn = (bits & ORIG_SYN) != 0;
    boolean respSynAck = (bits & RESP_SYN_ACK) != 0;
    boolean origFin = (bits & ORIG_FIN) != 0;
    boolean respFin = (bits & RESP_FIN) != 0;
    boolean origRst = (bits & ORIG_RST) != 0;
    boolean respRst = (bits & RESP_RST) != 0;
    if (origSyn && respSynAck) {
      if (origRst || respRst) {
        return (bits & FIRST_RST_ORIG) != 0 ? "RSTO" : "RSTR";
      }
      if (origFin && respFin) {
        return "SF";
      }
      return origFin ? "S2" : respFin ? "S3" : "S1";
    }
    if (origSyn) {
      if (respRst) {
        return "REJ";
      }
      if (origRst) {
        return "RSTOS0";
      }
      return origFin ? "SH" : "S0";
    }
    if (respSynAck) {
      if (respRst) {
        return "RSTRH";
      }
      if (respFin) {
        return "SHR";
      }
    }
    return "OTH";
  }
}
