package io.vigil.agent.packet.tls;

import java.util.Objects;

/**
 * The plaintext handshake of one TLS-over-TCP connection, both directions: two {@link
 * TlsRecordAssembler}s whose messages are parsed and reported to a {@link Listener}, with the one
 * piece of logic that needs both directions: when to stop.
 *
 * <ul>
 *   <li>A ServerHello choosing TLS 1.3 that is not a HelloRetryRequest makes both directions {@link
 *       TlsRecordAssembler.State#DONE}: everything after it is encrypted.
 *   <li>A HelloRetryRequest makes both directions skip ChangeCipherSpec records (TLS 1.3's
 *       middlebox-compatibility no-op), so the second ClientHello and the real ServerHello are
 *       still read.
 *   <li>Otherwise (TLS 1.2 and older) each direction ends at its own ChangeCipherSpec, and the
 *       first Certificate message of the side that sent the ServerHello is decoded.
 * </ul>
 *
 * Roles are read from the messages, not from which method the bytes came through: a ClientHello is
 * reported from either side, and the certificate is taken from the side that sent the ServerHello.
 * A hello or certificate that does not parse is reported to {@link Listener#malformed} and the
 * handshake goes on; a direction whose record layer is malformed is reported once and stops. Feed
 * the bytes of both directions in the order they were captured (by segment), so that the decisions
 * above are made before the other side's next bytes arrive.
 *
 * <p>Bounded by the assemblers (two message buffers of at most the bound). Not thread-safe: one
 * instance per connection, on the thread that reassembles it; the listener runs on that thread.
 */
public final class TlsConversation {
  /** Receives what the handshake shows. Every method defaults to doing nothing. */
  public interface Listener {
    /** A ClientHello (twice after a HelloRetryRequest). */
    default void clientHello(ClientHello hello) {}

    /** A ServerHello, HelloRetryRequests included. */
    default void serverHello(ServerHello hello) {}

    /** The server's leaf certificate (TLS 1.2 and older). */
    default void serverCertificate(ServerCertificate certificate) {}

    /** A message or a direction's record layer that could not be read. */
    default void malformed(TlsMalformed reason) {}
  }

  private final Listener listener;
  private final TlsRecordAssembler client;
  private final TlsRecordAssembler server;
  private boolean clientMalformedReported;
  private boolean serverMalformedReported;

  /** 0: no ServerHello yet; 1: the client side sent it; 2: the server side did. */
  private int serverHelloSide;

  private boolean certificateRead;

  /** A conversation with the default message bound. */
  public TlsConversation(Listener listener) {
    this(listener, TlsRecordAssembler.DEFAULT_MAX_MESSAGE);
  }

  /**
   * @param listener receives the parsed messages
   * @param maxMessageLength the largest handshake message body accepted per direction
   */
  public TlsConversation(Listener listener, int maxMessageLength) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.client = new TlsRecordAssembler((t, b) -> message(1, t, b), maxMessageLength);
    this.server = new TlsRecordAssembler((t, b) -> message(2, t, b), maxMessageLength);
  }

  /** The next in-order bytes the connection's initiator sent. */
  public void clientBytes(byte[] b, int off, int len) {
    client.feed(b, off, len);
    if (client.malformed() != null && !clientMalformedReported) {
      clientMalformedReported = true;
      listener.malformed(client.malformed());
    }
  }

  /** The next in-order bytes the connection's responder sent. */
  public void serverBytes(byte[] b, int off, int len) {
    server.feed(b, off, len);
    if (server.malformed() != null && !serverMalformedReported) {
      serverMalformedReported = true;
      listener.malformed(server.malformed());
    }
  }

  /** True when neither direction reads any more bytes: the handshake is over for this layer. */
  public boolean finished() {
    return client.state() != TlsRecordAssembler.State.HANDSHAKE
        && server.state() != TlsRecordAssembler.State.HANDSHAKE;
  }

  /** The initiator's direction: its state and malformed reason. */
  public TlsRecordAssembler client() {
    return client;
  }

  /** The responder's direction: its state and malformed reason. */
  public TlsRecordAssembler server() {
    return server;
  }

  private void message(int side, int type, byte[] body) {
    try {
      switch (type) {
        case HandshakeType.CLIENT_HELLO -> listener.clientHello(ClientHello.parse(body));
        case HandshakeType.SERVER_HELLO -> serverHello(side, ServerHello.parse(body));
        case HandshakeType.CERTIFICATE -> {
          if (side == serverHelloSide && !certificateRead) {
            certificateRead = true;
            ServerCertificate.parse(body).ifPresent(listener::serverCertificate);
          }
        }
        default -> {}
      }
    } catch (TlsParseException e) {
      listener.malformed(e.reason());
    }
  }

  private void serverHello(int side, ServerHello hello) {
    listener.serverHello(hello);
    if (hello.helloRetryRequest()) {
      client.ignoreChangeCipherSpec();
      server.ignoreChangeCipherSpec();
    } else if (hello.isTls13()) {
      client.encryptionStarted();
      server.encryptionStarted();
    } else {
      serverHelloSide = side;
    }
  }
}
