package io.vigil.agent.packet.dns;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.DnsRecord;
import io.vigil.proto.v1.Transport;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * Matches DNS queries to responses and reports each transaction once as a {@link DnsEvent}.
 *
 * <p>A query waits under the key (client ip, client port, server ip, server port, transport,
 * message id, first question's name in lower case, its type); a response looks up the mirrored key
 * with its own question, so an id reused for a different question does not match. A response
 * without a waiting query is still reported, its query fields taken from its own question (or, when
 * it has none, as mDNS announcements do, from its first answer record). A query with no response
 * after the timeout (packet time, driven by {@link #advance}) is reported without response fields.
 * The table is bounded: when full, the oldest query is reported as unanswered and counted as
 * evicted. A query whose key is already waiting (a retransmission) is counted, not reported twice.
 * Responses with an answer section also feed the {@link DnsAnswerCache}, when one is given, whether
 * or not they matched a query.
 *
 * <p>Messages are UDP payloads, or TCP segments framed by {@link DnsTcpFramer} (whole messages
 * within one segment only). Multicast DNS (5353) queries and responses rarely share a key (the
 * responder answers the group), so they are mostly reported as unanswered queries and unsolicited
 * responses. Not thread-safe: one instance per capture thread; {@link #stats} from that thread.
 */
public final class DnsTransactions {
  /** Default wait for a response: 5 s of packet time. */
  public static final long DEFAULT_TIMEOUT_NS = 5_000_000_000L;

  /** Default bound on queries waiting for a response. */
  public static final int DEFAULT_MAX_OUTSTANDING = 16_384;

  private record Key(
      String clientIp,
      int clientPort,
      String serverIp,
      int serverPort,
      int transport,
      int id,
      String name,
      int type) {}

  private record Pending(Key key, DnsMessage query, long timestampNs) {}

  private final long timeoutNs;
  private final int maxOutstanding;
  private final DnsAnswerCache cache;
  // Insertion order is packet-time order (near enough: timestamps from one capture rarely go back),
  // so timeouts and eviction only look at the head.
  private final LinkedHashMap<Key, Pending> pending = new LinkedHashMap<>();
  private final EnumMap<DnsMalformed, Long> malformed = new EnumMap<>(DnsMalformed.class);
  private long queries;
  private long responses;
  private long matched;
  private long unanswered;
  private long unsolicited;
  private long duplicateQueries;
  private long evicted;
  private long tcpSplit;

  /** Default timeout and bound, no answer cache. */
  public DnsTransactions() {
    this(DEFAULT_TIMEOUT_NS, DEFAULT_MAX_OUTSTANDING, null);
  }

  /**
   * @param timeoutNs how long a query waits for its response, packet time
   * @param maxOutstanding bound on waiting queries, at least 1
   * @param cache fed from responses; null for none
   */
  public DnsTransactions(long timeoutNs, int maxOutstanding, DnsAnswerCache cache) {
    if (timeoutNs <= 0 || maxOutstanding < 1) {
      throw new IllegalArgumentException("timeout and bound must be positive");
    }
    this.timeoutNs = timeoutNs;
    this.maxOutstanding = maxOutstanding;
    this.cache = cache;
  }

  /**
   * True for a UDP or TCP packet with a payload from or to port 53 (DNS) or 5353 (mDNS). LLMNR
   * (5355) and DNS on other ports are left to the caller, which may pass such packets to {@link
   * #packet} itself.
   */
  public static boolean looksLikeDns(DecodedPacket p) {
    if ((p.protocol != 17 && p.protocol != 6) || p.payloadLength <= 0 || p.fragment) {
      return false;
    }
    return p.srcPort == 53 || p.dstPort == 53 || p.srcPort == 5353 || p.dstPort == 5353;
  }

  /** Handles a UDP or TCP packet already known to carry DNS; others are ignored. */
  public void packet(DecodedPacket p, DnsSink sink) {
    int addrLen = p.addressLength();
    if (addrLen == 0 || p.payload == null || p.payloadLength <= 0) {
      return;
    }
    String src = IpText.format(p.src, 0, addrLen);
    String dst = IpText.format(p.dst, 0, addrLen);
    if (p.protocol == 17) {
      message(
          p, src, dst, Transport.TRANSPORT_UDP, p.payload, p.payloadOffset, p.payloadLength, sink);
    } else if (p.protocol == 6) {
      int left =
          DnsTcpFramer.frame(
              p.payload,
              p.payloadOffset,
              p.payloadLength,
              (buf, off, len) ->
                  message(p, src, dst, Transport.TRANSPORT_TCP, buf, off, len, sink));
      if (left > 0) {
        tcpSplit++;
      }
    }
  }

  /** Reports queries that have waited longer than the timeout at packet time {@code nowNs}. */
  public void advance(long nowNs, DnsSink sink) {
    Iterator<Pending> it = pending.values().iterator();
    while (it.hasNext()) {
      Pending q = it.next();
      if (nowNs - q.timestampNs() < timeoutNs) {
        break;
      }
      it.remove();
      unanswered++;
      sink.dns(event(q.key(), q.query(), null, 0), q.timestampNs());
    }
  }

  /** Reports every waiting query as unanswered (end of a capture file, or shutdown). */
  public void flush(DnsSink sink) {
    for (Pending q : pending.values()) {
      unanswered++;
      sink.dns(event(q.key(), q.query(), null, 0), q.timestampNs());
    }
    pending.clear();
  }

  /** Queries waiting for a response. */
  public int outstanding() {
    return pending.size();
  }

  /** A snapshot of the counters. */
  public DnsStats stats() {
    return new DnsStats(
        queries,
        responses,
        matched,
        unanswered,
        unsolicited,
        duplicateQueries,
        evicted,
        tcpSplit,
        malformed,
        pending.size());
  }

  private void message(
      DecodedPacket p,
      String src,
      String dst,
      Transport transport,
      byte[] buf,
      int off,
      int len,
      DnsSink sink) {
    DnsMessage m = DnsParser.parse(buf, off, len);
    if (m.malformed() != null) {
      malformed.merge(m.malformed(), 1L, Long::sum);
    }
    // Without a header or a readable question there is nothing to report: likely not DNS at all.
    if (!m.headerComplete() || (m.questionCount() > 0 && m.questions().isEmpty())) {
      return;
    }
    DnsQuestion q = m.question();
    String lower = q == null ? "" : q.name().toLowerCase(Locale.ROOT);
    int type = q == null ? 0 : q.type();
    if (!m.isResponse()) {
      queries++;
      Key key = new Key(src, p.srcPort, dst, p.dstPort, transport.getNumber(), m.id(), lower, type);
      if (pending.containsKey(key)) {
        duplicateQueries++;
        return;
      }
      if (pending.size() >= maxOutstanding) {
        Iterator<Pending> it = pending.values().iterator();
        Pending oldest = it.next();
        it.remove();
        evicted++;
        unanswered++;
        sink.dns(event(oldest.key(), oldest.query(), null, 0), oldest.timestampNs());
      }
      pending.put(key, new Pending(key, m, p.timestampNs));
      return;
    }
    responses++;
    Key key = new Key(dst, p.dstPort, src, p.srcPort, transport.getNumber(), m.id(), lower, type);
    Pending waiting = pending.remove(key);
    if (waiting != null) {
      matched++;
      sink.dns(event(key, waiting.query(), m, p.timestampNs), waiting.timestampNs());
    } else {
      unsolicited++;
      sink.dns(event(key, m, m, p.timestampNs), p.timestampNs);
    }
    if (cache != null) {
      DnsQuestion asked = waiting != null ? waiting.query().question() : null;
      cache.learn(m, asked != null ? asked.name() : null, p.timestampNs);
    }
  }

  private static DnsEvent event(Key key, DnsMessage query, DnsMessage response, long responseNs) {
    DnsQuestion q = query.question();
    String name = q == null ? "" : q.name();
    int type = q == null ? 0 : q.type();
    if (q == null && response != null && !response.answers().isEmpty()) {
      // No question (mDNS announcements): name the event after the first answer.
      name = response.answers().get(0).name();
      type = response.answers().get(0).type();
    }
    DnsEvent.Builder b =
        DnsEvent.newBuilder()
            .setQueryName(name)
            .setQueryType(name.isEmpty() && type == 0 ? "" : DnsNames.type(type))
            .setQueryTypeCode(type)
            .setClientIp(key.clientIp())
            .setServerIp(key.serverIp())
            .setClientPort(key.clientPort())
            .setServerPort(key.serverPort())
            .setTransport(Transport.forNumber(key.transport()))
            .setId(query.id());
    if (response != null) {
      b.setResponseCode(response.rcodeName())
          .setResponseCodeValue(response.rcode())
          .setResponseTimeNs(responseNs)
          .setTruncated(response.truncated())
          .setAuthoritative(response.authoritative())
          .setRecursionAvailable(response.recursionAvailable());
      for (DnsResourceRecord r : response.answers()) {
        b.addAnswers(r.data());
        b.addAnswerRecords(
            DnsRecord.newBuilder()
                .setName(r.name())
                .setType(r.typeName())
                .setTtl((int) r.ttl())
                .setData(r.data()));
      }
    }
    return b.build();
  }
}
