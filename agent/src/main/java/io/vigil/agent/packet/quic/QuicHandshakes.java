package io.vigil.agent.packet.quic;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.tls.ClientHello;
import io.vigil.agent.packet.tls.Ja4;
import io.vigil.agent.packet.tls.ServerHello;
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
 * its client and server address and port. The client's later datagrams go to the session's {@link
 * QuicClientHelloAssembler}; the server's (the same key reversed) go, once the client's Initial
 * keys are known, to a {@link QuicServerHelloAssembler} built with the client's key connection ID.
 * The handshake is reported as one {@link TlsEvent} (protocol {@code quic v1}, transport UDP, JA4
 * with its {@code q} prefix; JA3S, version and cipher suite from the ServerHello) as soon as both
 * hellos are known or the server's side gave up; a session with a ClientHello but no ServerHello is
 * reported when it expires ({@link #advance}) or at the end ({@link #finish}). The event time is
 * always the ClientHello's packet time. A finished session is kept until idle, so later Initials
 * (acknowledgements) start nothing new.
 *
 * <p>Not read: a server's Initials after a Retry once the client's first ClientHello was complete
 * (their keys come from the client's new ID, which the finished client side no longer follows);
 * such a handshake is reported without its ServerHello.
 *
 * <p>Bounded: at most {@code maxSessions}, the least recently used dropped first (counted, and not
 * reported); sessions idle for {@link #IDLE_NS} are dropped by {@link #advance}. Not thread-safe:
 * the packet pipeline's thread.
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

  private record Key(String client, int clientPort, String server, int serverPort) {
    Key reversed() {
      return new Key(server, serverPort, client, clientPort);
    }
  }

  private static final class Session {
    final QuicClientHelloAssembler client = new QuicClientHelloAssembler();
    QuicServerHelloAssembler server;

    /** Set once the ClientHello parsed: the event being built. */
    TlsEventBuilder event;

    long helloNs;
    long lastNs;

    /** Nothing more to read or report: reported, or the client side failed. */
    boolean done;
  }

  /**
   * Counters.
   *
   * @param sessions sessions opened
   * @param handshakes events reported
   * @param gaveUp sessions whose client side gave up without a ClientHello
   * @param unparsable ClientHellos that did not parse (not reported)
   * @param evicted sessions dropped for the bound
   * @param expired sessions idle for {@link #IDLE_NS} without a ClientHello
   * @param withoutServerHello handshakes reported without a ServerHello (expired, at the end, or
   *     the server's side gave up or did not parse)
   */
  public record Stats(
      long sessions,
      long handshakes,
      long gaveUp,
      long unparsable,
      long evicted,
      long expired,
      long withoutServerHello) {}

  private final LinkedHashMap<Key, Session> sessions;
  private long opened;
  private long handshakes;
  private long gaveUp;
  private long unparsable;
  private long evicted;
  private long expired;
  private long withoutServerHello;

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
    if (s != null) {
      clientDatagram(key, s, p, sink);
      return;
    }
    Key reversed = key.reversed();
    s = sessions.get(reversed);
    if (s != null) {
      serverDatagram(reversed, s, p, sink);
      return;
    }
    if (!QuicInitialDecryptor.looksLikeQuicInitial(p.payload, p.payloadOffset, p.payloadLength)) {
      return; // not a client's Initial: other UDP ends here
    }
    s = new Session();
    sessions.put(key, s);
    opened++;
    clientDatagram(key, s, p, sink);
  }

  private void clientDatagram(Key key, Session s, DecodedPacket p, Sink sink) {
    s.lastNs = p.timestampNs;
    if (s.done || s.event != null) {
      return;
    }
    QuicClientHelloAssembler a = s.client;
    QuicClientHelloAssembler.State st = a.offer(p.payload, p.payloadOffset, p.payloadLength);
    if (st == QuicClientHelloAssembler.State.COMPLETE) {
      s.event = parseClientHello(key, a);
      s.helloNs = p.timestampNs;
      if (s.event == null) {
        s.done = true;
      } else if (s.server != null
          && s.server.state() != QuicServerHelloAssembler.State.COLLECTING) {
        report(s, sink); // the server's side finished first (capture order)
      }
    } else if (st == QuicClientHelloAssembler.State.GAVE_UP) {
      s.done = true;
      gaveUp++;
    }
  }

  private void serverDatagram(Key key, Session s, DecodedPacket p, Sink sink) {
    s.lastNs = p.timestampNs;
    if (s.done) {
      return;
    }
    if (s.server == null) {
      Optional<byte[]> dcid = s.client.keyDcid();
      if (dcid.isEmpty()) {
        return; // no client Initial opened yet: the server's keys are not known
      }
      s.server = new QuicServerHelloAssembler(dcid.get());
    } else if (s.server.state() != QuicServerHelloAssembler.State.COLLECTING) {
      return;
    }
    QuicServerHelloAssembler.State st = s.server.offer(p.payload, p.payloadOffset, p.payloadLength);
    if (st != QuicServerHelloAssembler.State.COLLECTING && s.event != null) {
      report(s, sink);
    }
  }

  private TlsEventBuilder parseClientHello(Key key, QuicClientHelloAssembler a) {
    Optional<byte[]> message = a.clientHello();
    if (message.isEmpty()) {
      return null;
    }
    byte[] m = message.get();
    ClientHello hello;
    try {
      hello = ClientHello.parse(Arrays.copyOfRange(m, 4, m.length));
    } catch (TlsParseException e) {
      unparsable++;
      return null;
    }
    TlsEventBuilder b = new TlsEventBuilder(Ja4.Transport.QUIC);
    b.clientHello(hello);
    a.version().ifPresent(v -> b.quicVersion(versionLabel(v)));
    b.event()
        .setClientIp(key.client())
        .setClientPort(key.clientPort())
        .setServerIp(key.server())
        .setServerPort(key.serverPort());
    return b;
  }

  /** Reports the session's event, with the ServerHello when the server's side has one. */
  private void report(Session s, Sink sink) {
    s.done = true;
    TlsEventBuilder b = s.event;
    s.event = null;
    Optional<byte[]> message = s.server == null ? Optional.empty() : s.server.serverHello();
    if (message.isPresent()) {
      byte[] m = message.get();
      try {
        b.serverHello(ServerHello.parse(Arrays.copyOfRange(m, 4, m.length)));
      } catch (TlsParseException e) {
        // Reported with what the client said; counted below as without a ServerHello.
      }
    }
    if (!b.hasServerHello()) {
      withoutServerHello++;
    }
    handshakes++;
    sink.handshake(b.event(), s.helloNs);
  }

  private static String versionLabel(QuicVersion v) {
    return switch (v) {
      case V1 -> "v1";
      case V2 -> "v2";
      case DRAFT_29 -> "draft-29";
    };
  }

  /**
   * Drops sessions idle for {@link #IDLE_NS} at packet time {@code nowNs}; one holding a
   * ClientHello not yet reported is reported to {@code sink} first, without its ServerHello.
   */
  public void advance(long nowNs, Sink sink) {
    Iterator<Session> it = sessions.values().iterator();
    while (it.hasNext()) {
      Session s = it.next();
      if (nowNs - s.lastNs >= IDLE_NS) {
        if (s.event != null) {
          report(s, sink);
        } else if (!s.done) {
          expired++;
        }
        it.remove();
      }
    }
  }

  /**
   * The capture ended: every session holding a ClientHello not yet reported is; all are dropped.
   */
  public void finish(Sink sink) {
    for (Session s : sessions.values()) {
      if (s.event != null) {
        report(s, sink);
      }
    }
    sessions.clear();
  }

  public Stats stats() {
    return new Stats(opened, handshakes, gaveUp, unparsable, evicted, expired, withoutServerHello);
  }
}
