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
 * QuicInitialDecryptor#looksLikeQuicInitial looks like a client Initial} and that decrypts as one,
 * with the client keys of its own Destination Connection ID, opens a session keyed by its client
 * and server address and port. One that does not decrypt opens nothing (counted as {@link
 * Stats#rejected}): servers pad their Initials to 1200 bytes too, and a server's datagram seen
 * before its client's would otherwise hold a session with the two sides swapped that never
 * decrypts. A datagram is first matched against open sessions both ways, so a server's datagram of
 * a known session always goes to its server side. The client's later datagrams go to the session's
 * {@link QuicClientHelloAssembler}; the server's (the same key reversed) go, once the client's
 * Initial keys are known, to a {@link QuicServerHelloAssembler} built with the client's key
 * connection ID. The handshake is reported as one {@link TlsEvent} (protocol {@code quic v1},
 * transport UDP, JA4 with its {@code q} prefix; JA3S, version and cipher suite from the
 * ServerHello) as soon as both hellos are known or the server's side gave up; a session with a
 * ClientHello but no ServerHello is reported when it expires ({@link #advance}) or at the end
 * ({@link #finish}). The event time is always the ClientHello's packet time. A finished session is
 * kept until idle, so later Initials (acknowledgements) start nothing new.
 *
 * <p>Not read: a server's Initials after a Retry once the client's first ClientHello was complete
 * (their keys come from the client's new ID, which the finished client side no longer follows);
 * such a handshake is reported without its ServerHello.
 *
 * <p>Bounded: at most {@code maxSessions}, the least recently used dropped first (counted, and not
 * reported); sessions idle for {@link #IDLE_NS} are dropped by {@link #advance}. The bytes the
 * sessions hold for reassembly and finished hellos are added up, and past {@code maxBufferedBytes}
 * the least recently used sessions are dropped the same way (counted as evicted), so that memory
 * follows the budget and not the number of sessions times each one's bound (64 KiB client side, 16
 * KiB server side). Each assembler's reassembly also allocates at most 8 KiB beyond the bytes it
 * was sent ({@link CryptoReassembly}), so a forged 1-byte CRYPTO frame at a large offset costs at
 * most 8 KiB, not 64. Worst case with the defaults: {@value #DEFAULT_MAX_BUFFERED_BYTES} bytes (4
 * MiB) of buffers, plus at most one session's 80 KiB before the check after its datagram, plus a
 * fixed part per session not counted in the budget (the session and its two assemblers' objects and
 * counters, at most four cached keys of 44 bytes each; no cipher state, which is per thread),
 * estimated at 2 to 4 KiB: 1024 sessions add at most about 4 MiB, 8 MiB in all. Not thread-safe:
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
  public static final int DEFAULT_MAX_SESSIONS = 1024;

  /** Default bound on the bytes all sessions hold for reassembly and finished hellos: 4 MiB. */
  public static final int DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

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

    /** What both assemblers held at the last count, in {@link #buffered}. */
    long held;

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
   * @param rejected datagrams that looked like a client Initial but opened no session: nothing in
   *     them decrypted with the client keys of their own connection ID (a server's padded Initial,
   *     damage, or forgery)
   */
  public record Stats(
      long sessions,
      long handshakes,
      long gaveUp,
      long unparsable,
      long evicted,
      long expired,
      long withoutServerHello,
      long rejected) {}

  private final LinkedHashMap<Key, Session> sessions;
  private final long maxBufferedBytes;

  /** What all sessions hold: the sum of their {@link Session#held}. */
  private long buffered;

  private long opened;
  private long handshakes;
  private long gaveUp;
  private long unparsable;
  private long evicted;
  private long expired;
  private long withoutServerHello;
  private long rejected;

  public QuicHandshakes() {
    this(DEFAULT_MAX_SESSIONS);
  }

  public QuicHandshakes(int maxSessions) {
    this(maxSessions, DEFAULT_MAX_BUFFERED_BYTES);
  }

  /**
   * At most {@code maxSessions} sessions, holding at most about {@code maxBufferedBytes} for
   * reassembly and hellos (see the class comment).
   */
  public QuicHandshakes(int maxSessions, long maxBufferedBytes) {
    this.maxBufferedBytes = maxBufferedBytes;
    this.sessions =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Session> eldest) {
            if (size() > maxSessions) {
              evicted++;
              buffered -= eldest.getValue().held;
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
    if (sessions.isEmpty()
        && !QuicInitialDecryptor.looksLikeQuicInitial(
            p.payload, p.payloadOffset, p.payloadLength)) {
      return; // the common case for other UDP: no session to look up, nothing to open
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
    // Kept only once its first datagram decrypted: before, it could not have evicted anything.
    s = new Session();
    clientDatagram(key, s, p, sink);
    if (s.client.keyDcid().isEmpty()) {
      buffered -= s.held; // nothing decrypted, so nothing held; kept exact all the same
      rejected++;
      return;
    }
    sessions.put(key, s);
    opened++;
  }

  /** Brings the session's part of {@link #buffered} up to date, then keeps to the budget. */
  private void account(Session s) {
    long now = s.client.heldBytes() + (s.server == null ? 0 : s.server.heldBytes());
    buffered += now - s.held;
    s.held = now;
    Iterator<Session> it = sessions.values().iterator();
    // Least recently used first; the session just used is the last, so it goes only if alone.
    while (buffered > maxBufferedBytes && it.hasNext()) {
      Session eldest = it.next();
      if (eldest.held == 0) {
        continue; // dropping it frees nothing counted
      }
      buffered -= eldest.held;
      eldest.held = 0;
      it.remove();
      evicted++;
    }
  }

  private void clientDatagram(Key key, Session s, DecodedPacket p, Sink sink) {
    s.lastNs = p.timestampNs;
    if (s.done || s.event != null) {
      return;
    }
    QuicClientHelloAssembler a = s.client;
    QuicClientHelloAssembler.State st = a.offer(p.payload, p.payloadOffset, p.payloadLength);
    account(s);
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
    account(s);
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
        buffered -= s.held;
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
    buffered = 0;
  }

  public Stats stats() {
    return new Stats(
        opened, handshakes, gaveUp, unparsable, evicted, expired, withoutServerHello, rejected);
  }

  /** Bytes all sessions hold for reassembly and hellos now, as counted against the budget. */
  long bufferedBytes() {
    return buffered;
  }
}
