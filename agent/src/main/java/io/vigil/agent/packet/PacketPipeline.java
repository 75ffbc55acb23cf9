package io.vigil.agent.packet;

import io.vigil.agent.packet.app.AppAnalyzerFactory;
import io.vigil.agent.packet.app.AppOptions;
import io.vigil.agent.packet.app.ProtocolDetector;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.Malformed;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.dns.DnsSink;
import io.vigil.agent.packet.dns.DnsTransactions;
import io.vigil.agent.packet.flow.CommunityId;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.packet.flow.FlowRecord;
import io.vigil.agent.packet.flow.FlowRecords;
import io.vigil.agent.packet.flow.FlowSink;
import io.vigil.agent.packet.flow.FlowTable;
import io.vigil.agent.packet.http.HttpDatagrams;
import io.vigil.agent.packet.http.HttpOptions;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.quic.QuicHandshakes;
import io.vigil.agent.packet.stream.ReassemblyBudget;
import io.vigil.agent.packet.stream.StreamOptions;
import io.vigil.agent.packet.stream.TcpConnection;
import io.vigil.agent.packet.stream.TcpStreams;
import io.vigil.agent.sensor.Reduction;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * From frames to events, on one thread: decode, the flow table, DNS matching and the answer cache
 * that names flow destinations, TCP reassembly into the application analyzers (protocols detected
 * by content: HTTP, TLS, SOCKS and CONNECT tunnels), HTTP over UDP, and QUIC handshakes. Live
 * capture and offline mode both drive it, so a capture file gives the same events the live sensor
 * would. Time is packet time: timeouts advance as packets (or, live, the capture loop's clock
 * through {@link #advance}) move on. Not thread-safe, except the answer cache it shares ({@link
 * #answers}).
 */
public final class PacketPipeline {
  /** Receives each event built (flow, DNS, HTTP, TLS); the builder is the receiver's. */
  @FunctionalInterface
  public interface EventOut {
    void event(Event.Builder event);
  }

  /**
   * TCP reassembly for the application analyzers: 256 KiB out of order per direction, 1 MiB deep
   * (handshakes and HTTP heads are at the start), 16,384 connections, 5 min idle; all of it within
   * {@link #REASSEMBLY_BUDGET_BYTES}, because the agent's heap is small (64 MiB by default) and
   * out-of-order data is what an attacker can make it hold.
   */
  static final StreamOptions STREAM_OPTIONS = StreamOptions.defaults().withMaxConnections(16_384);

  /** Bytes of out-of-order segments held over all connections of one pipeline. */
  static final long REASSEMBLY_BUDGET_BYTES = 8L << 20;

  /** Bytes the detection and HTTP analyzers may hold over all connections of one pipeline. */
  static final long ANALYZER_BUDGET_BYTES = 8L << 20;

  /** How often, in packet time, idle flows and unanswered queries are looked for. */
  private static final long ADVANCE_EVERY_NS = 1_000_000_000L;

  private final String interfaceName;
  private final EventOut out;
  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket packet = new DecodedPacket();
  private final FlowTable flows;
  private final DnsTransactions dns;
  private final DnsAnswerCache answers;
  private final QuicHandshakes quic = new QuicHandshakes();
  // The sinks as fields: a method reference that captures this is a new object at every use,
  // and these are used per packet.
  private final FlowSink flowSink = this::flow;
  private final DnsSink dnsSink = this::dns;
  private final QuicHandshakes.Sink tlsSink = this::tls;
  private final AppEvents appEvents = new AppEvents(new AppSink());
  private final AppAnalyzerFactory apps =
      new AppAnalyzerFactory(
          appEvents, appEvents, AppOptions.defaults().withMaxAnalyzerMemory(ANALYZER_BUDGET_BYTES));
  private final TcpStreams streams;
  private final CommunityId communityId = new CommunityId(0);
  private final Counts counts = new Counts();
  private final Reduction appParsing;
  private long lastAdvanceNs = Long.MIN_VALUE;

  /**
   * @param interfaceName what flow records name as their interface (the file name offline)
   * @param answers the answer cache, shared with the connection sensor live; a fresh one offline
   */
  public PacketPipeline(
      String interfaceName, FlowOptions flowOptions, DnsAnswerCache answers, EventOut out) {
    this(interfaceName, flowOptions, answers, out, Reduction.never());
  }

  /**
   * As above; while {@code appParsing} is active (the agent is over its budget) only flows are
   * kept: DNS, HTTP, TLS and QUIC parsing and TCP reassembly are skipped, each packet with payload
   * they would have read counted as skipped.
   */
  public PacketPipeline(
      String interfaceName,
      FlowOptions flowOptions,
      DnsAnswerCache answers,
      EventOut out,
      Reduction appParsing) {
    this.appParsing = appParsing;
    this.interfaceName = interfaceName;
    this.out = out;
    this.answers = answers;
    this.flows = new FlowTable(flowOptions);
    this.streams =
        new TcpStreams(STREAM_OPTIONS, new ReassemblyBudget(REASSEMBLY_BUDGET_BYTES), apps);
    this.dns =
        new DnsTransactions(
            DnsTransactions.DEFAULT_TIMEOUT_NS, DnsTransactions.DEFAULT_MAX_OUTSTANDING, answers);
  }

  /** One captured frame. */
  public void frame(
      byte[] data, int offset, int length, int linkType, long timestampNs, int originalLength) {
    counts.frames++;
    counts.bytes += originalLength;
    if (linkType >= 0 && linkType < counts.byCommonLinkType.length) {
      counts.byCommonLinkType[linkType]++;
    } else {
      counts.byOtherLinkType.merge(linkType, 1L, Long::sum);
    }
    boolean ip =
        decoder.decode(data, offset, length, linkType, timestampNs, originalLength, packet);
    if (packet.malformed != null) {
      counts.malformed.merge(packet.malformed, 1L, Long::sum);
    }
    if (ip) {
      counts.ip++;
      flows.add(packet, flowSink);
      if (appParsing.active()) {
        if (packet.protocol == 6 || packet.protocol == 17) {
          appParsing.skipped();
        }
      } else {
        if (!packet.fragment && DnsTransactions.looksLikeDns(packet)) {
          dns.packet(packet, dnsSink);
        } else if (packet.protocol == 17) {
          applications(packet, true);
        }
        if (packet.protocol == 6) {
          applications(packet, false);
        }
      }
    }
    if (timestampNs - lastAdvanceNs >= ADVANCE_EVERY_NS || lastAdvanceNs == Long.MIN_VALUE) {
      advance(timestampNs);
    }
  }

  /**
   * Ends what timed out by {@code nowNs}: idle flows, unanswered queries, idle TCP connections
   * (their analyzers report what they hold) and QUIC sessions.
   */
  public void advance(long nowNs) {
    lastAdvanceNs = nowNs;
    flows.advance(nowNs, flowSink);
    dns.advance(nowNs, dnsSink);
    quic.advance(nowNs, tlsSink);
    streams.advance(nowNs);
  }

  /**
   * The capture ended: every connection, QUIC session, open flow and outstanding query is emitted.
   */
  public void finish() {
    streams.finish();
    dns.flush(dnsSink);
    quic.finish(tlsSink);
    flows.flush(flowSink);
  }

  public DnsAnswerCache answers() {
    return answers;
  }

  /** What went through so far. */
  public Summary summary() {
    Map<String, Long> malformed = new TreeMap<>();
    counts.malformed.forEach((m, n) -> malformed.put(m.label(), n));
    return new Summary(
        counts.frames,
        counts.bytes,
        counts.ip,
        counts.flows,
        counts.dns,
        counts.tls,
        counts.http,
        counts.analyzerErrors,
        flows.stats().evicted(),
        counts.byLinkType(),
        malformed);
  }

  /**
   * Counts of a capture: frames and their bytes on the wire, IP packets decoded, flow, DNS, TLS and
   * HTTP events emitted, packets whose application analyzers failed, flows evicted, frames by link
   * type, malformed by reason.
   */
  public record Summary(
      long frames,
      long bytes,
      long ipPackets,
      long flows,
      long dns,
      long tls,
      long http,
      long analyzerErrors,
      long flowsEvicted,
      Map<Integer, Long> framesByLinkType,
      Map<String, Long> malformedByReason) {}

  private void flow(FlowRecord r) {
    counts.flows++;
    Flow f = FlowRecords.toProto(r, interfaceName);
    // Flow records hold addresses in canonical text (IpText.of), the cache's keys.
    String host = answers.hostnameForCanonical(r.serverIp(), r.endNs());
    if (host != null) {
      f = f.toBuilder().setDestinationHostname(host).build();
    }
    out.event(Event.newBuilder().setEventTimeNs(r.startNs()).setSensor("packet").setFlow(f));
  }

  private void dns(DnsEvent e, long timestampNs) {
    counts.dns++;
    out.event(Event.newBuilder().setEventTimeNs(timestampNs).setSensor("packet").setDns(e));
  }

  /**
   * The application analyzers of one packet. They read attacker-controlled bytes and are bounded
   * and tested not to throw; should one throw all the same, the packet's application content is
   * lost (counted) and the capture goes on: a decoder bug must never stop a capture thread.
   */
  private void applications(DecodedPacket p, boolean udp) {
    try {
      if (udp) {
        quic.packet(p, tlsSink);
        httpDatagram(p);
      } else {
        streams.packet(p);
      }
    } catch (RuntimeException e) {
      counts.analyzerErrors++;
    }
  }

  /** HTTP over UDP (SSDP and the like): a datagram that holds a request or a status line. */
  private void httpDatagram(DecodedPacket p) {
    if (p.fragment || p.payload == null || p.payloadLength == 0) {
      return;
    }
    byte[] b = p.payload;
    int off = p.payloadOffset;
    int len = p.payloadLength;
    if (ProtocolDetector.client(b, off, len) != ProtocolDetector.Detection.HTTP
        && ProtocolDetector.server(b, off, len) != ProtocolDetector.Detection.HTTP) {
      return;
    }
    HttpTransaction t = HttpDatagrams.parse(b, off, len, p.timestampNs, HttpOptions.defaults());
    if (t == null) {
      return;
    }
    int addrLen = p.addressLength();
    String src = IpText.of(p.src, 0, addrLen);
    String dst = IpText.of(p.dst, 0, addrLen);
    // a response alone (an SSDP answer) was sent by the server: the receiver is the client
    boolean response = t.request() == null;
    TcpConnection datagram =
        new TcpConnection(
            p.ipVersion,
            p.vlanId,
            response ? dst : src,
            response ? p.dstPort : p.srcPort,
            response ? src : dst,
            response ? p.srcPort : p.dstPort,
            p.timestampNs,
            false);
    appEvents.httpOver(datagram, null, t, Transport.TRANSPORT_UDP);
  }

  /** Where the application analyzers' events go: dated, counted, community id added. */
  private final class AppSink implements AppEvents.Sink {
    @Override
    public void http(HttpEvent.Builder e, long timestampNs) {
      counts.http++;
      e.setCommunityId(
          community(
              e.getClientIp(),
              e.getClientPort(),
              e.getServerIp(),
              e.getServerPort(),
              e.getTransport() == Transport.TRANSPORT_UDP ? 17 : 6));
      out.event(Event.newBuilder().setEventTimeNs(timestampNs).setSensor("packet").setHttp(e));
    }

    @Override
    public void tls(TlsEvent.Builder e, long timestampNs) {
      PacketPipeline.this.tls(e, timestampNs);
    }
  }

  private void tls(TlsEvent.Builder e, long timestampNs) {
    counts.tls++;
    e.setCommunityId(
        community(
            e.getClientIp(),
            e.getClientPort(),
            e.getServerIp(),
            e.getServerPort(),
            e.getTransportValue() == Transport.TRANSPORT_UDP_VALUE ? 17 : 6));
    out.event(Event.newBuilder().setEventTimeNs(timestampNs).setSensor("packet").setTls(e));
  }

  /** Community ID of a connection given in canonical address text; "" when unparsable. */
  private String community(String src, int srcPort, String dst, int dstPort, int protocol) {
    byte[] a = IpText.parse(src);
    byte[] b = IpText.parse(dst);
    if (a == null || b == null || a.length != b.length) {
      return "";
    }
    return communityId.of(a.length, a, b, protocol, srcPort, dstPort);
  }

  private static final class Counts {
    long frames;
    long bytes;
    long ip;
    long flows;
    long dns;
    long tls;
    long http;
    long analyzerErrors;
    // Counted per frame: an array for the link types in use (all below 300), not a map.
    final long[] byCommonLinkType = new long[300];
    final Map<Integer, Long> byOtherLinkType = new TreeMap<>();
    final Map<Malformed, Long> malformed = new EnumMap<>(Malformed.class);

    Map<Integer, Long> byLinkType() {
      Map<Integer, Long> m = new TreeMap<>(byOtherLinkType);
      for (int i = 0; i < byCommonLinkType.length; i++) {
        if (byCommonLinkType[i] > 0) {
          m.put(i, byCommonLinkType[i]);
        }
      }
      return m;
    }
  }
}
