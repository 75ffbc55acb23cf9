package io.vigil.agent.packet.flow;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;

/**
 * Folds decoded packets into bidirectional flows and emits each flow when it ends.
 *
 * <p><b>Key and direction.</b> A flow is the IP version, protocol, outer VLAN id and the two
 * endpoints (address and port, in either direction; see {@link FlowKey}). The client is the side
 * that sent the flow's first packet, except for TCP: a first packet with SYN and ACK makes its
 * receiver the client (the SYN was missed); a SYN without ACK, or a mid-stream packet, makes its
 * sender the client.
 *
 * <p><b>What is counted.</b> Packets without IP are ignored. Packets the decoder marked malformed
 * are ignored. A fragment that did not complete a datagram is ignored: the decoder reports the
 * reassembled datagram, with its whole IP length, when the last fragment arrives, and counting the
 * fragments too would count the bytes twice. All three are counted in {@link #stats()}. Bytes are
 * the IP length ({@link DecodedPacket#ipLength}).
 *
 * <p><b>When a flow ends.</b> Packet time drives the table: every packet first ends the flows idle
 * past their timeout at its time, and {@link #advance} does the same for a clock the caller gives
 * (wall time when capturing live, so that quiet flows end even without packets). A TCP flow closed
 * by RST or by FIN from both sides is reported after {@link FlowOptions#tcpClosedLinger} (end
 * reason {@code rst} or {@code fin}), still counting late packets until then; a SYN without ACK
 * from the client on a closed flow ends it at once and starts a new flow (port reuse). A flow
 * longer than the active timeout is reported in parts: when a packet arrives at or past the current
 * part's start plus the timeout, the part is emitted ({@code active_timeout}) and the packet starts
 * the next part; counters and TCP flags are per part, the connection state covers the whole
 * connection. A new flow in a full table first evicts the flow idle the longest.
 *
 * <p><b>Layout.</b> Flows live in parallel arrays indexed by slot, found through a chained hash
 * index of int arrays, and kept on one list per timeout class in the order they last saw a packet,
 * so ending idle flows and picking the eviction victim look only at list heads. Adding a packet of
 * a known flow allocates nothing; a new flow allocates nothing either, an emitted one its record.
 *
 * <p>Owned by one thread (the capture loop): not thread-safe.
 */
public final class FlowTable {
  private static final int TCP = 6;
  private static final int ICMP = 1;
  private static final int ICMP6 = 58;

  private static final int LIST_TCP = 0;
  private static final int LIST_OTHER = 1;
  private static final int LIST_ICMP = 2;
  private static final int LIST_CLOSED = 3;
  private static final int LISTS = 4;

  private static final int NONE = -1;

  private final int capacity;
  private final long activeNs;
  private final long[] timeoutNs = new long[LISTS];
  private final CommunityId communityId;
  private final FlowKey probe = new FlowKey();
  private final byte[] addrA = new byte[16];
  private final byte[] addrB = new byte[16];

  // Hash index: bucket heads and per-slot chain links (the free list reuses chainNext).
  private final int[] buckets;
  private final int bucketMask;
  private final int[] chainNext;
  private final int[] hashes;
  private int freeHead;

  // Keys.
  private final byte[] ipVersion;
  private final short[] protocol;
  private final short[] vlanId;
  private final long[] aHi;
  private final long[] aLo;
  private final long[] bHi;
  private final long[] bLo;
  private final int[] portA;
  private final int[] portB;

  // Flow state.
  private final boolean[] clientIsA;
  private final short[] icmpTypeCode; // type << 8 | code of the first packet
  private final long[] startNs;
  private final long[] lastNs;
  private final long[] packetsToServer;
  private final long[] packetsToClient;
  private final long[] bytesToServer;
  private final long[] bytesToClient;
  private final byte[] flagsToServer;
  private final byte[] flagsToClient;
  private final byte[] tcpBits;

  // Timeout lists, oldest last packet first.
  private final byte[] list;
  private final int[] prev;
  private final int[] next;
  private final int[] head = new int[LISTS];
  private final int[] tail = new int[LISTS];

  private long clockNs = Long.MIN_VALUE;
  private int open;
  private long created;
  private final long[] ended = new long[EndReason.values().length];
  private long packets;
  private long ignoredNonIp;
  private long ignoredFragments;
  private long ignoredMalformed;

  public FlowTable(FlowOptions options) {
    capacity = options.maxFlows();
    activeNs = options.activeTimeout().toNanos();
    timeoutNs[LIST_TCP] = options.tcpIdle().toNanos();
    timeoutNs[LIST_OTHER] = options.udpIdle().toNanos();
    timeoutNs[LIST_ICMP] = options.icmpIdle().toNanos();
    timeoutNs[LIST_CLOSED] = options.tcpClosedLinger().toNanos();
    communityId = new CommunityId(options.communityIdSeed());
    int nBuckets = Integer.highestOneBit(Math.max(capacity, 2) * 2 - 1) * 2; // >= 2 * capacity
    buckets = new int[nBuckets];
    java.util.Arrays.fill(buckets, NONE);
    bucketMask = nBuckets - 1;
    chainNext = new int[capacity];
    hashes = new int[capacity];
    ipVersion = new byte[capacity];
    protocol = new short[capacity];
    vlanId = new short[capacity];
    aHi = new long[capacity];
    aLo = new long[capacity];
    bHi = new long[capacity];
    bLo = new long[capacity];
    portA = new int[capacity];
    portB = new int[capacity];
    clientIsA = new boolean[capacity];
    icmpTypeCode = new short[capacity];
    startNs = new long[capacity];
    lastNs = new long[capacity];
    packetsToServer = new long[capacity];
    packetsToClient = new long[capacity];
    bytesToServer = new long[capacity];
    bytesToClient = new long[capacity];
    flagsToServer = new byte[capacity];
    flagsToClient = new byte[capacity];
    tcpBits = new byte[capacity];
    list = new byte[capacity];
    prev = new int[capacity];
    next = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      chainNext[i] = i + 1 < capacity ? i + 1 : NONE;
    }
    freeHead = 0;
    java.util.Arrays.fill(head, NONE);
    java.util.Arrays.fill(tail, NONE);
  }

  /**
   * Counts one packet to its flow, first ending (into {@code sink}) the flows idle past their
   * timeout at the packet's time, and a flow's part when the packet crosses the active timeout.
   */
  public void add(DecodedPacket p, FlowSink sink) {
    if (p.ipVersion != 4 && p.ipVersion != 6) {
      ignoredNonIp++;
      return;
    }
    if (p.malformed != null) {
      ignoredMalformed++;
      return;
    }
    if (p.fragment) {
      ignoredFragments++;
      return;
    }
    long ts = p.timestampNs;
    if (ts > clockNs) {
      clockNs = ts;
    }
    expire(clockNs, sink);
    FlowKey k = probe;
    k.set(p);
    int s = find(k);
    boolean tcp = k.protocol == TCP;
    if (s != NONE
        && tcp
        && list[s] == LIST_CLOSED
        && (p.tcpFlags & (ConnState.TCP_SYN | ConnState.TCP_ACK)) == ConnState.TCP_SYN) {
      // A new connection on the same ports: the old one is over.
      end(s, closedReason(s), sink);
      s = NONE;
    }
    if (s == NONE) {
      s = create(k, p, sink);
    } else if (ts - startNs[s] >= activeNs) {
      emit(s, EndReason.ACTIVE_TIMEOUT, sink);
      startPart(s, ts);
    }
    boolean fromClient = k.forward == clientIsA[s];
    if (fromClient) {
      packetsToServer[s]++;
      bytesToServer[s] += p.ipLength;
    } else {
      packetsToClient[s]++;
      bytesToClient[s] += p.ipLength;
    }
    int targetList = list[s];
    if (tcp) {
      int flags = p.tcpFlags & 0xFF;
      if (fromClient) {
        flagsToServer[s] |= (byte) flags;
      } else {
        flagsToClient[s] |= (byte) flags;
      }
      int bits = ConnState.update(tcpBits[s] & 0xFF, fromClient, flags);
      tcpBits[s] = (byte) bits;
      if (ConnState.closed(bits)) {
        targetList = LIST_CLOSED;
      }
    }
    if (ts > lastNs[s]) {
      lastNs[s] = ts;
    }
    packets++;
    unlink(s);
    append(s, targetList);
  }

  /** Ends the flows idle past their timeout at {@code nowNs} (UTC ns) into {@code sink}. */
  public void advance(long nowNs, FlowSink sink) {
    if (nowNs > clockNs) {
      clockNs = nowNs;
    }
    expire(clockNs, sink);
  }

  /**
   * Ends every flow into {@code sink} (end of capture) and empties the table: open flows with end
   * reason {@code shutdown}, closed TCP flows still lingering with their own ({@code fin}, {@code
   * rst}), since they did end.
   */
  public void flush(FlowSink sink) {
    for (int l = 0; l < LISTS; l++) {
      while (head[l] != NONE) {
        int s = head[l];
        end(s, l == LIST_CLOSED ? closedReason(s) : EndReason.SHUTDOWN, sink);
      }
    }
  }

  /** The counters now. */
  public FlowStats stats() {
    return new FlowStats(
        open,
        created,
        ended[EndReason.FIN.ordinal()],
        ended[EndReason.RST.ordinal()],
        ended[EndReason.IDLE_TIMEOUT.ordinal()],
        ended[EndReason.ACTIVE_TIMEOUT.ordinal()],
        ended[EndReason.EVICTED.ordinal()],
        ended[EndReason.SHUTDOWN.ordinal()],
        packets,
        ignoredNonIp,
        ignoredFragments,
        ignoredMalformed);
  }

  private void expire(long now, FlowSink sink) {
    for (int l = 0; l < LISTS; l++) {
      long timeout = timeoutNs[l];
      int s;
      while ((s = head[l]) != NONE && now - lastNs[s] >= timeout) {
        end(s, l == LIST_CLOSED ? closedReason(s) : EndReason.IDLE_TIMEOUT, sink);
      }
    }
  }

  private EndReason closedReason(int s) {
    return ConnState.reset(tcpBits[s] & 0xFF) ? EndReason.RST : EndReason.FIN;
  }

  private int find(FlowKey k) {
    for (int s = buckets[k.hash & bucketMask]; s != NONE; s = chainNext[s]) {
      if (hashes[s] == k.hash
          && aLo[s] == k.aLo
          && bLo[s] == k.bLo
          && portA[s] == k.portA
          && portB[s] == k.portB
          && aHi[s] == k.aHi
          && bHi[s] == k.bHi
          && protocol[s] == k.protocol
          && vlanId[s] == k.vlanId
          && ipVersion[s] == k.ipVersion) {
        return s;
      }
    }
    return NONE;
  }

  private int create(FlowKey k, DecodedPacket p, FlowSink sink) {
    if (freeHead == NONE) {
      evictOldest(sink);
    }
    int s = freeHead;
    freeHead = chainNext[s];
    int b = k.hash & bucketMask;
    chainNext[s] = buckets[b];
    buckets[b] = s;
    hashes[s] = k.hash;
    ipVersion[s] = (byte) k.ipVersion;
    protocol[s] = (short) k.protocol;
    vlanId[s] = (short) k.vlanId;
    aHi[s] = k.aHi;
    aLo[s] = k.aLo;
    bHi[s] = k.bHi;
    bLo[s] = k.bLo;
    portA[s] = k.portA;
    portB[s] = k.portB;
    boolean senderIsClient =
        k.protocol != TCP
            || (p.tcpFlags & (ConnState.TCP_SYN | ConnState.TCP_ACK))
                != (ConnState.TCP_SYN | ConnState.TCP_ACK);
    clientIsA[s] = k.forward == senderIsClient;
    icmpTypeCode[s] =
        k.protocol == ICMP || k.protocol == ICMP6
            ? (short) ((p.icmpType & 0xFF) << 8 | (p.icmpCode & 0xFF))
            : -1;
    tcpBits[s] = 0;
    startPart(s, p.timestampNs);
    lastNs[s] = p.timestampNs;
    list[s] = (byte) listFor(k.protocol);
    prev[s] = NONE;
    next[s] = NONE;
    append(s, list[s]);
    open++;
    created++;
    return s;
  }

  private static int listFor(int protocol) {
    return protocol == TCP
        ? LIST_TCP
        : protocol == ICMP || protocol == ICMP6 ? LIST_ICMP : LIST_OTHER;
  }

  private void startPart(int s, long ts) {
    startNs[s] = ts;
    packetsToServer[s] = 0;
    packetsToClient[s] = 0;
    bytesToServer[s] = 0;
    bytesToClient[s] = 0;
    flagsToServer[s] = 0;
    flagsToClient[s] = 0;
  }

  private void evictOldest(FlowSink sink) {
    int victim = NONE;
    for (int l = 0; l < LISTS; l++) {
      int s = head[l];
      if (s != NONE && (victim == NONE || lastNs[s] < lastNs[victim])) {
        victim = s;
      }
    }
    end(victim, EndReason.EVICTED, sink);
  }

  /** Emits the flow and frees its slot. */
  private void end(int s, EndReason reason, FlowSink sink) {
    emit(s, reason, sink);
    unlink(s);
    int b = hashes[s] & bucketMask;
    if (buckets[b] == s) {
      buckets[b] = chainNext[s];
    } else {
      int c = buckets[b];
      while (chainNext[c] != s) {
        c = chainNext[c];
      }
      chainNext[c] = chainNext[s];
    }
    chainNext[s] = freeHead;
    freeHead = s;
    open--;
  }

  private void emit(int s, EndReason reason, FlowSink sink) {
    ended[reason.ordinal()]++;
    int v = ipVersion[s];
    int addrLen = v == 4 ? 4 : 16;
    boolean aIsClient = clientIsA[s];
    FlowKey.address(v, aIsClient ? aHi[s] : bHi[s], aIsClient ? aLo[s] : bLo[s], addrA);
    FlowKey.address(v, aIsClient ? bHi[s] : aHi[s], aIsClient ? bLo[s] : aLo[s], addrB);
    int proto = protocol[s];
    boolean icmp = proto == ICMP || proto == ICMP6;
    boolean tcp = proto == TCP;
    int clientPort = icmp ? 0 : aIsClient ? portA[s] : portB[s];
    int serverPort = icmp ? 0 : aIsClient ? portB[s] : portA[s];
    int icmpType = icmp ? (icmpTypeCode[s] >>> 8) & 0xFF : -1;
    int icmpCode = icmp ? icmpTypeCode[s] & 0xFF : -1;
    String id =
        communityId.of(
            addrLen,
            addrA,
            addrB,
            proto,
            icmp ? icmpType : clientPort,
            icmp ? icmpCode : serverPort);
    sink.flow(
        new FlowRecord(
            v,
            proto,
            IpText.of(addrA, 0, addrLen),
            clientPort,
            IpText.of(addrB, 0, addrLen),
            serverPort,
            vlanId[s],
            icmpType,
            icmpCode,
            startNs[s],
            lastNs[s],
            packetsToServer[s],
            packetsToClient[s],
            bytesToServer[s],
            bytesToClient[s],
            tcp ? flagsToServer[s] & 0xFF : 0,
            tcp ? flagsToClient[s] & 0xFF : 0,
            tcp ? ConnState.of(tcpBits[s] & 0xFF) : "",
            reason,
            id));
  }

  private void unlink(int s) {
    int l = list[s];
    int p = prev[s];
    int n = next[s];
    if (p == NONE) {
      head[l] = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      tail[l] = p;
    } else {
      prev[n] = p;
    }
    prev[s] = NONE;
    next[s] = NONE;
  }

  private void append(int s, int l) {
    list[s] = (byte) l;
    int t = tail[l];
    prev[s] = t;
    next[s] = NONE;
    if (t == NONE) {
      head[l] = s;
    } else {
      next[t] = s;
    }
    tail[l] = s;
  }
}
