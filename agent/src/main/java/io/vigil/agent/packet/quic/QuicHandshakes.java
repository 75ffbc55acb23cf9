package io.vigil.agent.packet.quic;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.tls.ClientHello;
import io.vigil.agent.packet.tls.Ja4;
import io.vigil.agent.packet.tls.TlsEventBuilder;
import io.vigil.agent.packet.tls.TlsParseException;
import io.vigil.proto.v1.TlsEvent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * QUIC connections found by content on any UDP port: a datagram that {@link
 * QuicInitialDecryptor#looksLikeQuicInitial looks like a client Initial} opens a session keyed by
 * its client and server address and port; the client's later datagrams go to the session's {@link
 * QuicClientHelloAssembler}; once the ClientHello is complete it is parsed and reported as a {@link
 * TlsEvent} (protocol {@code quic v1}, transport UDP, JA4 with its {@code q} prefix). A finished
 * session is kept until idle, so the client's later Initials (acknowledgements) start nothing new.
 *
 * <p>Bounded: at most {@code maxSessions}, the least recently used dropped first (counted);
 * sessions idle for {@link #IDLE_NS} are dropped by {@link #advance}. Not thread-safe: the packet
 * pipeline's thread.
 */
public final class QuicHandshakes {
  /** Receives each handshake: the event, with addresses and ports set, and its packet time. */
  @FunctionalInterface
  public interface Sink {
    void handshake(TlsEvent.Builder event, long timestampNs);
  }

  /** How long a session may wait for its next datagram. */
  public static final long IDLE_NS = 30_000_000_000L;

  /** Default bound on sessions. */
  public static final int DEFAULT_MAX_SESSIONS = 4096;

  private record Key(String client, int clientPort, String server, int serverPort) {}

  private static final class Session {
    final QuicClientHelloAssembler assembler = new QuicClientHelloAssembler();
    long lastNs;
    boolean reported;
  }

  /** Counters: sessions opened, handshakes reported, given up (no ClientHello), dropped. */
  public record Stats(
      long sessions, long handshakes, long gaveUp, long unparsable, long evicted, long expired) {}

  private final LinkedHashMap<Key, Session> sessions;
  private long opened;
  private long handshakes;
  private long gaveUp;
  private long unparsable;
  private long evicted;
  private long expired;

  public QuicHandshakes() {
    this(DEFAULT_MAX_SESSIONS);
  }

  public QuicHandshakes(int maxSessions) {
    this.sessions =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Session> eldest) {
            if (size() > maxSessions) {
              evicted++;
              return true;
            }
            return false;
          }
        };
  }

  /** A decoded UDP packet (others are ignored). */
  public void packet(DecodedPacket p, Sink sink) {
    if (p.protocol != 17 || p.fragment || p.payload == null || p.payloadLength <= 0) {
      return;
    }
    int addrLen = p.addressLength();
    if (addrLen == 0) {
      return;
    }
    String src = IpText.of(p.src, 0, addrLen);
    String dst = IpText.of(p.dst, 0, addrLen);
    Key key = new Key(src, p.srcPort, dst, p.dstPort);
    Session s = sessions.get(key);
    if (s == null) {
      if (!QuicInitialDecryptor.looksLikeQuicInitial(p.payload, p.payloadOffset, p.payloadLength)) {
        return; // not a client's Initial: server datagrams and other UDP end here
      }
      s = new Session();
      sessions.put(key, s);
      opened++;
    }
    s.lastNs = p.timestampNs;
    if (s.reported) {
      return;
    }
    QuicClientHelloAssembler a = s.assembler;
    QuicClientHelloAssembler.State st = a.offer(p.payload, p.payloadOffset, p.payloadLength);
    if (st == QuicClientHelloAssembler.State.COMPLETE) {
      s.reported = true;
      report(key, a, p.timestampNs, sink);
    } else if (st == QuicClientHelloAssembler.State.GAVE_UP) {
      s.reported = true;
      gaveUp++;
    }
  }

  private void report(Key key, QuicClientHelloAssembler a, long ts, Sink sink) {
    Optional<byte[]> message = a.clientHello();
    if (message.isEmpty()) {
      return;
    }
    byte[] m = message.get();
    ClientHello hello;
    try {
      hello = ClientHello.parse(Arrays.copyOfRange(m, 4, m.length));
    } catch (TlsParseException e) {
      unparsable++;
      return;
    }
    TlsEventBuilder b = new TlsEventBuilder(Ja4.Transport.QUIC);
    b.clientHello(hello);
    a.version().ifPresent(v -> b.quicVersion(versionLabel(v)));
    b.event()
        .setClientIp(key.client())
        .setClientPort(key.clientPort())
        .setServerIp(key.server())
        .setServerPort(key.serverPort());
    handshakes++;
    sink.handshake(b.event(), ts);
  }

  private static String versionLabel(QuicVersion v) {
    return switch (v) {
      case V1 -> "v1";
      case V2 -> "v2";
      case DRAFT_29 -> "draft-29";
    };
  }

  /** Drops sessions idle for {@link #IDLE_NS} at packet time {@code nowNs}. */
  public void advance(long nowNs) {
    Iterator<Session> it = sessions.values().iterator();
    while (it.hasNext()) {
      Session s = it.next();
      if (nowNs - s.lastNs >= IDLE_NS) {
        if (!s.reported) {
          expired++;
        }
        it.remove();
      }
    }
  }

  public Stats stats() {
    return new Stats(opened, handshakes, gaveUp, unparsable, evicted, expired);
  }
}
