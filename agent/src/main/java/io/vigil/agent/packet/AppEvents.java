package io.vigil.agent.packet;

import io.vigil.agent.packet.app.AppListener;
import io.vigil.agent.packet.app.TlsConsumer;
import io.vigil.agent.packet.app.Tunnel;
import io.vigil.agent.packet.http.HttpRequest;
import io.vigil.agent.packet.http.HttpResponse;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.stream.TcpConnection;
import io.vigil.agent.packet.tls.ClientHello;
import io.vigil.agent.packet.tls.Ja4;
import io.vigil.agent.packet.tls.ServerCertificate;
import io.vigil.agent.packet.tls.ServerHello;
import io.vigil.agent.packet.tls.TlsConversation;
import io.vigil.agent.packet.tls.TlsEventBuilder;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.util.Locale;

/**
 * Turns what the application-layer analyzers of TCP connections find into events: an {@link
 * HttpEvent} per HTTP transaction, and a {@link TlsEvent} per TLS handshake, read by a {@link
 * TlsConversation} on the stream the detector handed over (directly over TCP, or inside a SOCKS or
 * CONNECT tunnel). A handshake is reported once, as soon as it has shown what it will show: at a
 * TLS 1.3 ServerHello (the rest is encrypted), at the server's certificate for TLS 1.2 and older,
 * when both directions turned encrypted, or when the connection ends with only part of it seen. Not
 * thread-safe: the packet pipeline's thread.
 */
final class AppEvents implements AppListener, TlsConsumer.Factory {
  /** Receives the events, with the packet time they are dated by. */
  interface Sink {
    void http(HttpEvent.Builder event, long timestampNs);

    void tls(TlsEvent.Builder event, long timestampNs);
  }

  /**
   * Largest TLS handshake message read on a TCP stream (a certificate chain is a few KiB; a message
   * is buffered only as its bytes arrive, but per connection and outside the shared budgets).
   */
  static final int MAX_HANDSHAKE_MESSAGE = 32 * 1024;

  private final Sink sink;

  AppEvents(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void http(TcpConnection c, Tunnel via, HttpTransaction t) {
    httpOver(c, via, t, Transport.TRANSPORT_TCP);
  }

  /** An HTTP transaction over {@code transport} (UDP for a datagram: its ends in {@code c}). */
  void httpOver(TcpConnection c, Tunnel via, HttpTransaction t, Transport transport) {
    HttpEvent.Builder e =
        HttpEvent.newBuilder()
            .setTransport(transport)
            .setClientIp(c.clientIp())
            .setClientPort(c.clientPort())
            .setServerIp(c.serverIp())
            .setServerPort(c.serverPort());
    if (via != null) {
      e.setTunnel(tunnelText(via));
    }
    HttpRequest q = t.request();
    HttpResponse r = t.response();
    long ts;
    if (q != null) {
      e.setMethod(q.method())
          .setUri(q.uri())
          .setVersion(q.version())
          .setHost(q.host())
          .setUserAgent(q.userAgent())
          .setReferer(q.referer())
          .setRequestContentType(q.contentType())
          .setRequestBodyLength(Math.max(0, q.bodyBytes()))
          .setRequestTimeNs(q.startNs());
      if (q.truncated()) {
        e.setTruncated(true);
      }
      ts = q.startNs();
    } else {
      ts = r.startNs();
    }
    if (r != null) {
      e.setStatusCode(r.status())
          .setResponseBodyLength(Math.max(0, r.bodyBytes()))
          .setResponseTimeNs(r.startNs());
      if (r.truncated()) {
        e.setTruncated(true);
      }
    }
    String contentType = r != null && !r.contentType().isEmpty() ? r.contentType() : "";
    if (contentType.isEmpty() && q != null) {
      contentType = q.contentType();
    }
    e.setContentType(contentType);
    sink.http(e, ts);
  }

  @Override
  public TlsConsumer create(TcpConnection connection, Tunnel via) {
    return new Handshake(connection, via);
  }

  /** "socks5 host:port", "connect host:port", the outer tunnels after " in ". */
  static String tunnelText(Tunnel t) {
    StringBuilder b = new StringBuilder();
    for (Tunnel x = t; x != null; x = x.outer()) {
      if (b.length() > 0) {
        b.append(" in ");
      }
      String kind =
          x.kind() == Tunnel.Kind.HTTP_CONNECT
              ? "connect"
              : x.kind().name().toLowerCase(Locale.ROOT);
      b.append(kind).append(' ').append(x.host());
      if (x.port() >= 0) {
        b.append(':').append(x.port());
      }
    }
    return b.toString();
  }

  /** One TLS stream: its conversation and what it showed so far. */
  private final class Handshake implements TlsConsumer, TlsConversation.Listener {
    private final TcpConnection connection;
    private final Tunnel via;
    private final TlsConversation conversation = new TlsConversation(this, MAX_HANDSHAKE_MESSAGE);
    private final TlsEventBuilder event = new TlsEventBuilder(Ja4.Transport.TCP);
    private boolean reported;
    private boolean broken; // a gap: what follows it cannot be read as the handshake's continuation
    private long lastNs;

    Handshake(TcpConnection connection, Tunnel via) {
      this.connection = connection;
      this.via = via;
    }

    @Override
    public void client(byte[] b, int off, int len, long timestampNs) {
      lastNs = timestampNs;
      if (!reported && !broken) {
        conversation.clientBytes(b, off, len);
        reportIfComplete();
      }
    }

    @Override
    public void server(byte[] b, int off, int len, long timestampNs) {
      lastNs = timestampNs;
      if (!reported && !broken) {
        conversation.serverBytes(b, off, len);
        reportIfComplete();
      }
    }

    @Override
    public void gap(boolean fromClient, long bytes, long timestampNs) {
      // a hole in the handshake leaves the rest unreadable (the record layer would read whatever
      // follows as if it were contiguous): report what was seen, if anything, and read no more
      lastNs = timestampNs;
      broken = true;
      report();
    }

    @Override
    public void end(long timestampNs) {
      lastNs = Math.max(lastNs, timestampNs);
      report();
    }

    @Override
    public boolean wantsMore(boolean fromClient) {
      return !reported && !broken && !conversation.finished();
    }

    @Override
    public void clientHello(ClientHello hello) {
      event.clientHello(hello);
    }

    @Override
    public void serverHello(ServerHello hello) {
      event.serverHello(hello);
    }

    @Override
    public void serverCertificate(ServerCertificate certificate) {
      event.serverCertificate(certificate);
    }

    private void reportIfComplete() {
      if (conversation.finished() || event.hasCertificate()) {
        report();
      }
    }

    private void report() {
      if (reported || !event.hasHello()) {
        return;
      }
      reported = true;
      TlsEvent.Builder e =
          event
              .event()
              .setClientIp(connection.clientIp())
              .setClientPort(connection.clientPort())
              .setServerIp(connection.serverIp())
              .setServerPort(connection.serverPort());
      if (via != null) {
        e.setTunnel(tunnelText(via));
      }
      sink.tls(e, lastNs);
    }
  }
}
