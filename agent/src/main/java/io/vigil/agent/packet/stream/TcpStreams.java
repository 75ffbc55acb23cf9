package io.vigil.agent.packet.stream;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.util.HashMap;

/**
 * The TCP connections of a capture, each reassembled ({@link TcpReassembler}) into an analyzer its
 * factory makes.
 *
 * <p><b>Key and client.</b> A connection is the IP version, outer VLAN id and its two endpoints
 * (address and port), either direction, as the flow table keys TCP flows; the client is the SYN
 * sender, the receiver of a first SYN-ACK (the SYN was missed), or else the sender of the first
 * packet seen. A SYN without ACK from the client with another initial sequence number ends the
 * connection ({@link StreamEnd#REUSED}) and starts a new one.
 *
 * <p><b>When a connection ends.</b> FIN from both sides ends it once every byte before both FINs
 * was delivered, or after {@link StreamOptions#closedLinger} when holes remain. A RST ends it after
 * the closed linger unless new bytes or a new handshake follow within it (then it goes on: a forged
 * reset must not blind the analyzers; counted). A connection ended by FIN or RST is remembered
 * through the closed linger so that its late packets (counted) do not start a new connection,
 * unless the client sends a new SYN. Packet time drives timeouts: every packet first ends what is
 * idle at its time, and {@link #advance} does the same for a clock the caller gives. A new
 * connection in a full table first forgets the longest ended one, else ends the connection without
 * payload idle the longest, else the connection idle the longest ({@link StreamEnd#EVICTED}). A
 * connection that has carried no payload ends after {@link StreamOptions#emptyIdleTimeout}. On
 * every end, holes still open are reported as gaps, then the analyzer's {@link StreamAnalyzer#end}
 * is called.
 *
 * <p><b>Analyzer errors.</b> A {@link RuntimeException} thrown by the factory or an analyzer is
 * caught and counted ({@link StreamStats#analyzerErrors}); that connection's analyzer is dropped
 * and its bytes no longer delivered, its buffers still released, and the capture goes on.
 *
 * <p>Owned by one thread: not thread-safe (the {@link ReassemblyBudget} it shares is). The
 * analyzers are called on that thread, from {@link #packet}, {@link #advance} and {@link #finish}.
 */
public final class TcpStreams {
  private static final int TCP = 6;
  private static final int FIN = 0x01;
  private static final int SYN = 0x02;
  private static final int RST = 0x04;
  private static final int ACK = 0x10;

  private final StreamOptions options;
  private final ReassemblyBudget budget;
  private final StreamAnalyzerFactory factory;
  private final StreamCounters counters = new StreamCounters();
  private final long idleNs;
  private final long lingerNs;
  private final long emptyIdleNs;
  private final HashMap<ConnKey, StreamConnection> table = new HashMap<>();
  private final ConnKey probe = new ConnKey();
  // Timeout lists, oldest touch first: OPEN (idle timeout), CLOSING and DONE (linger), and EMPTY:
  // open connections that carried no payload yet (the short idle timeout, evicted first).
  private static final int EMPTY = 3;
  private final StreamConnection[] head = new StreamConnection[4];
  private final StreamConnection[] tail = new StreamConnection[4];
  private long clockNs = Long.MIN_VALUE;

  public TcpStreams(StreamOptions options, ReassemblyBudget budget, StreamAnalyzerFactory factory) {
    this.options = options;
    this.budget = budget;
    this.factory = factory;
    this.idleNs = options.idleTimeout().toNanos();
    this.lingerNs = options.closedLinger().toNanos();
    this.emptyIdleNs = options.emptyIdleTimeout().toNanos();
  }

  /**
   * One decoded packet: a TCP packet (not a fragment, not malformed) goes to its connection's
   * reassembler; anything else is counted as ignored. The payload is read during the call only.
   */
  public void packet(DecodedPacket p) {
    counters.packets++;
    if (p.protocol != TCP
        || (p.ipVersion != 4 && p.ipVersion != 6)
        || p.fragment
        || p.malformed != null) {
      counters.ignored++;
      return;
    }
    long ts = p.timestampNs;
    if (ts > clockNs) {
      clockNs = ts;
    }
    expire();
    probe.set(p);
    int flags = p.tcpFlags;
    boolean synOnly = (flags & (SYN | ACK)) == SYN;
    StreamConnection c = table.get(probe);
    if (c != null) {
      boolean fromClient = probe.forward == c.clientIsA;
      if (c.state == StreamConnection.DONE) {
        if (!(synOnly && fromClient)) {
          counters.lateSegments++;
          return;
        }
        forget(c); // port reuse after a close
        c = null;
      } else if (synOnly
          && fromClient
          && c.reassembler.started(Direction.CLIENT_TO_SERVER)
          && ((p.tcpSeq + 1) & 0xFFFFFFFFL)
              != c.reassembler.firstSequence(Direction.CLIENT_TO_SERVER)) {
        end(c, c.reset ? StreamEnd.RST : StreamEnd.REUSED);
        forget(c);
        c = null;
      }
    }
    if (c == null) {
      c = create(p, synOnly, flags);
    }
    Direction d =
        probe.forward == c.clientIsA ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    if (ts > c.lastNs) {
      c.lastNs = ts;
    }
    if (p.payloadLength > 0) {
      c.carried = true;
    }
    TcpReassembler r = c.reassembler;
    if ((flags & RST) != 0) {
      // A reset ends the connection once the linger passes without anything new: a forged or
      // out-of-window one (an evasion) must not blind the analyzers to what follows. Its payload
      // (a diagnostic some stacks add) is not stream data, and it starts no sequence space.
      counters.resets++;
      c.reset = true;
      c.state = StreamConnection.CLOSING;
    } else {
      boolean fresh =
          r.segment(d, p.tcpSeq, flags, p.payload, p.payloadOffset, p.payloadLength, ts);
      if (c.reset && (fresh || (flags & SYN) != 0)) {
        c.reset = false; // the connection went on after the reset
        counters.afterReset++;
        c.state = StreamConnection.OPEN;
      }
      if (r.closed(Direction.CLIENT_TO_SERVER) && r.closed(Direction.SERVER_TO_CLIENT)) {
        end(c, StreamEnd.FIN);
      } else if (r.finSeen(Direction.CLIENT_TO_SERVER) && r.finSeen(Direction.SERVER_TO_CLIENT)) {
        c.state = StreamConnection.CLOSING;
      }
    }
    touch(c);
  }

  /** Ends the connections idle (or lingering) past their timeout at {@code nowNs} (UTC ns). */
  public void advance(long nowNs) {
    if (nowNs > clockNs) {
      clockNs = nowNs;
    }
    expire();
  }

  /**
   * Ends every connection (the capture ended): open ones with {@link StreamEnd#SHUTDOWN}, those
   * waiting after both FINs or a RST with {@link StreamEnd#FIN} or {@link StreamEnd#RST}; the table
   * is then empty.
   */
  public void finish() {
    for (int l = 0; l < head.length; l++) {
      while (head[l] != null) {
        StreamConnection c = head[l];
        if (c.state != StreamConnection.DONE) {
          StreamEnd reason =
              c.state == StreamConnection.OPEN
                  ? StreamEnd.SHUTDOWN
                  : c.reset ? StreamEnd.RST : StreamEnd.FIN;
          end(c, reason);
        }
        forget(c);
      }
    }
  }

  /** The counters now. */
  public StreamStats stats() {
    return counters.snapshot();
  }

  /** Connections held now, ended ones still lingering included. */
  public int size() {
    return table.size();
  }

  public StreamOptions options() {
    return options;
  }

  private StreamConnection create(DecodedPacket p, boolean synOnly, int flags) {
    if (table.size() >= options.maxConnections()) {
      evictOne();
    }
    boolean synAck = (flags & (SYN | ACK)) == (SYN | ACK);
    // The sender is the client, unless its packet answers a SYN that was missed.
    boolean clientIsA = probe.forward != synAck;
    ConnKey key = probe.copy();
    StreamConnection c =
        new StreamConnection(
            key, clientIsA, p.timestampNs, !synOnly, factory, options, budget, counters);
    c.lastNs = p.timestampNs;
    table.put(key, c);
    counters.created++;
    counters.open++;
    if (!synOnly) {
      counters.midStream++;
    }
    append(c);
    return c;
  }

  private void evictOne() {
    StreamConnection done = head[StreamConnection.DONE];
    if (done != null) {
      forget(done);
      return;
    }
    StreamConnection empty = head[EMPTY];
    if (empty != null) {
      // Before any connection that carried data: a scan's probes must not push those out.
      end(empty, StreamEnd.EVICTED);
      forget(empty);
      return;
    }
    StreamConnection a = head[StreamConnection.OPEN];
    StreamConnection b = head[StreamConnection.CLOSING];
    StreamConnection victim = a == null ? b : b == null || a.touchNs <= b.touchNs ? a : b;
    end(victim, StreamEnd.EVICTED);
    forget(victim);
  }

  private void expire() {
    StreamConnection c;
    while ((c = head[EMPTY]) != null && clockNs - c.touchNs >= emptyIdleNs) {
      end(c, StreamEnd.IDLE_TIMEOUT);
      forget(c);
    }
    while ((c = head[StreamConnection.OPEN]) != null && clockNs - c.touchNs >= idleNs) {
      end(c, StreamEnd.IDLE_TIMEOUT);
      forget(c);
    }
    while ((c = head[StreamConnection.CLOSING]) != null && clockNs - c.touchNs >= lingerNs) {
      end(c, c.reset ? StreamEnd.RST : StreamEnd.FIN);
      touch(c); // remembered for a linger more: late packets still come
    }
    while ((c = head[StreamConnection.DONE]) != null && clockNs - c.touchNs >= lingerNs) {
      forget(c);
    }
  }

  /** Ends a live connection (flush, analyzer end); it stays in the table as DONE. */
  private void end(StreamConnection c, StreamEnd reason) {
    if (c.state == StreamConnection.DONE) {
      return;
    }
    unlink(c);
    try {
      c.end(reason);
    } finally {
      // Even if ending threw (analyzer errors are caught below it; this is for worse), the
      // connection is DONE and listed again, so that it is forgotten after its linger.
      counters.ended[reason.ordinal()]++;
      counters.open--;
      append(c);
    }
  }

  /** Removes the connection from the table (ended first by the caller when live). */
  private void forget(StreamConnection c) {
    unlink(c);
    table.remove(c.key);
  }

  /** Moves the connection to the tail of its state's list at the current clock. */
  private void touch(StreamConnection c) {
    unlink(c);
    append(c);
  }

  private void append(StreamConnection c) {
    int l = c.state == StreamConnection.OPEN && !c.carried ? EMPTY : c.state;
    c.touchNs = clockNs == Long.MIN_VALUE ? c.lastNs : clockNs;
    c.prev = tail[l];
    c.next = null;
    if (tail[l] == null) {
      head[l] = c;
    } else {
      tail[l].next = c;
    }
    tail[l] = c;
    c.listed = l;
  }

  private void unlink(StreamConnection c) {
    int l = c.listed;
    if (l < 0) {
      return;
    }
    if (c.prev == null) {
      head[l] = c.next;
    } else {
      c.prev.next = c.next;
    }
    if (c.next == null) {
      tail[l] = c.prev;
    } else {
      c.next.prev = c.prev;
    }
    c.prev = null;
    c.next = null;
    c.listed = -1;
  }
}
