package io.vigil.agent.packet.tls;

import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;

/**
 * Collects what one handshake showed (the first ClientHello, the ServerHello, the server's
 * certificate) into a {@link TlsEvent}: SNI, ALPN, offered versions, cipher suites and extensions
 * (GREASE left out), JA3, JA4 (with the transport's prefix), JA3S, the chosen version and cipher,
 * and the certificate. Names of versions are the ones Wireshark uses ("TLS 1.3"). Not thread-safe:
 * one per handshake.
 */
public final class TlsEventBuilder {
  /** Bound on the ALPN protocols, versions, cipher suites and extensions copied into the event. */
  static final int MAX_LIST = 128;

  private final Ja4.Transport ja4Transport;
  private final TlsEvent.Builder event = TlsEvent.newBuilder();
  private boolean clientHello;
  private boolean serverHello;
  private boolean certificate;

  /** For a handshake over {@code transport} (TCP for TLS, QUIC for its Initial packets). */
  public TlsEventBuilder(Ja4.Transport transport) {
    this.ja4Transport = transport;
    event.setTransport(
        transport == Ja4.Transport.QUIC ? Transport.TRANSPORT_UDP : Transport.TRANSPORT_TCP);
    event.setProtocol(transport == Ja4.Transport.QUIC ? "quic" : "tls");
  }

  /** The first ClientHello only: a second one (after a HelloRetryRequest) repeats the client. */
  public void clientHello(ClientHello h) {
    if (clientHello) {
      return;
    }
    clientHello = true;
    if (h.serverName() != null) {
      event.setServerName(h.serverName());
    }
    Ja3 ja3 = Ja3.of(h);
    event.setJa3(ja3.md5()).setJa3Full(ja3.text());
    event.setJa4(Ja4.of(h, ja4Transport).fingerprint());
    int n = 0;
    for (String p : h.alpnProtocols()) {
      if (n++ == MAX_LIST) {
        break;
      }
      event.addAlpnOffered(p);
    }
    if (!h.alpnProtocols().isEmpty()) {
      event.setAlpn(h.alpnProtocols().get(0));
    }
    int highest = 0;
    if (h.supportedVersions().isEmpty()) {
      event.addClientVersions(versionName(h.legacyVersion()));
      highest = h.legacyVersion();
    } else {
      n = 0;
      for (int v : h.supportedVersions()) {
        if (!Grease.is(v) && n++ < MAX_LIST) {
          event.addClientVersions(versionName(v));
          highest = Math.max(highest, v);
        }
      }
    }
    if (!serverHello && highest != 0) {
      event.setVersion(versionName(highest));
    }
    n = 0;
    for (int c : h.cipherSuites()) {
      if (!Grease.is(c) && n++ < MAX_LIST) {
        event.addClientCipherSuites(c);
      }
    }
    n = 0;
    for (int e : h.extensionTypes()) {
      if (!Grease.is(e) && n++ < MAX_LIST) {
        event.addClientExtensions(e);
      }
    }
  }

  /** The ServerHello; a HelloRetryRequest is not the server's final choice and is skipped. */
  public void serverHello(ServerHello h) {
    if (h.helloRetryRequest() || serverHello) {
      return;
    }
    serverHello = true;
    Ja3s ja3s = Ja3s.of(h);
    event.setJa3S(ja3s.md5()).setJa3SFull(ja3s.text());
    event.setVersion(versionName(h.version()));
    event.setCipherSuite(h.cipherSuite());
  }

  /** The server's leaf certificate. */
  public void serverCertificate(ServerCertificate c) {
    if (certificate) {
      return;
    }
    certificate = true;
    event
        .setCertificateSha256(c.sha256())
        .setCertificateSubject(c.subject())
        .setCertificateIssuer(c.issuer())
        .setCertificateNotBeforeNs(c.notBeforeNs())
        .setCertificateNotAfterNs(c.notAfterNs());
  }

  /** The QUIC version, written after the protocol ("quic v1"). */
  public void quicVersion(String version) {
    event.setProtocol("quic " + version);
  }

  /** True once a ClientHello or ServerHello was seen: there is something to report. */
  public boolean hasHello() {
    return clientHello || serverHello;
  }

  public boolean hasClientHello() {
    return clientHello;
  }

  public boolean hasServerHello() {
    return serverHello;
  }

  public boolean hasCertificate() {
    return certificate;
  }

  /** The event so far; addresses, ports, process and community id are the caller's to set. */
  public TlsEvent.Builder event() {
    return event;
  }

  /** "TLS 1.2", "SSL 3.0", "DTLS 1.2", "TLS 1.3 draft 23", else "0xVVVV". */
  public static String versionName(int v) {
    return switch (v) {
      case 0x0002, 0x0200 -> "SSL 2.0";
      case 0x0300 -> "SSL 3.0";
      case 0x0301 -> "TLS 1.0";
      case 0x0302 -> "TLS 1.1";
      case 0x0303 -> "TLS 1.2";
      case 0x0304 -> "TLS 1.3";
      case 0xfeff -> "DTLS 1.0";
      case 0xfefd -> "DTLS 1.2";
      case 0xfefc -> "DTLS 1.3";
      default ->
          (v & 0xff00) == 0x7f00
              ? "TLS 1.3 draft " + (v & 0xff)
              : String.format("0x%04x", v & 0xffff);
    };
  }
}
