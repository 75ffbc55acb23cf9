package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.HRR_RANDOM;
import static io.vigil.agent.packet.tls.TlsWire.TLS12;
import static io.vigil.agent.packet.tls.TlsWire.TLS13;
import static io.vigil.agent.packet.tls.TlsWire.clientHello;
import static io.vigil.agent.packet.tls.TlsWire.clientVersions;
import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.ext;
import static io.vigil.agent.packet.tls.TlsWire.handshake;
import static io.vigil.agent.packet.tls.TlsWire.record;
import static io.vigil.agent.packet.tls.TlsWire.serverHello;
import static io.vigil.agent.packet.tls.TlsWire.sni;
import static io.vigil.agent.packet.tls.TlsWire.u16;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static io.vigil.agent.packet.tls.TlsWire.vec24;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.tls.TlsRecordAssembler.State;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConversationTest {
  private static KeyStore keys;

  /** What the listener heard, as short strings. */
  private final List<String> heard = new ArrayList<>();

  private final TlsConversation.Listener listener =
      new TlsConversation.Listener() {
        @Override
        public void clientHello(ClientHello h) {
          heard.add("ClientHello " + h.serverName() + " " + h.alpnProtocols());
        }

        @Override
        public void serverHello(ServerHello h) {
          heard.add(
              "ServerHello "
                  + Integer.toHexString(h.version())
                  + (h.helloRetryRequest() ? " HRR" : ""));
        }

        @Override
        public void serverCertificate(ServerCertificate c) {
          heard.add("Certificate " + c.subject() + " " + c.sha256());
        }

        @Override
        public void malformed(TlsMalformed reason) {
          heard.add("malformed " + reason.label());
        }
      };

  @BeforeAll
  static void keyStore(@TempDir Path dir) throws Exception {
    keys = JdkTls.keyStore(dir);
  }

  @Test
  void aJdkTls13HandshakeGivesBothHellosAndThenStops() throws Exception {
    TlsConversation tls = new TlsConversation(listener);
    replay(jdkHandshake("TLSv1.3"), tls);
    assertEquals(List.of("ClientHello vigil.test [h2, http/1.1]", "ServerHello 304"), heard);
    assertTrue(tls.finished());
    assertEquals(State.DONE, tls.client().state());
    assertEquals(State.DONE, tls.server().state());
  }

  @Test
  void aJdkTls12HandshakeAlsoGivesTheServersCertificate() throws Exception {
    TlsConversation tls = new TlsConversation(listener);
    replay(jdkHandshake("TLSv1.2"), tls);
    String sha256 =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(JdkTls.certificate(keys).getEncoded()));
    assertEquals(
        List.of(
            "ClientHello vigil.test [h2, http/1.1]",
            "ServerHello 303",
            "Certificate " + JdkTls.SUBJECT + " " + sha256),
        heard);
    assertTrue(tls.finished(), "each side ended at its ChangeCipherSpec");
  }

  @Test
  void rolesComeFromTheMessagesNotTheMethod() throws Exception {
    TlsConversation tls = new TlsConversation(listener);
    for (JdkTls.Chunk c : jdkHandshake("TLSv1.2")) {
      if (c.fromClient()) {
        tls.serverBytes(c.data(), 0, c.data().length);
      } else {
        tls.clientBytes(c.data(), 0, c.data().length);
      }
    }
    assertEquals(3, heard.size(), heard.toString());
    assertTrue(heard.get(2).startsWith("Certificate CN=vigil.test"));
  }

  /**
   * RFC 8446 4.1.4 with middlebox compatibility (D.4): ClientHello; HelloRetryRequest and
   * ChangeCipherSpec; ChangeCipherSpec and the second ClientHello; ServerHello, then encrypted.
   */
  @Test
  void aHelloRetryRequestKeepsBothSidesReadingUntilTheRealServerHello() {
    TlsConversation tls = new TlsConversation(listener);
    byte[] ch1 =
        record(
            22,
            handshake(1, clientHello(TLS12, new int[] {0x1301}, sni("a"), clientVersions(TLS13))));
    byte[] hrr =
        concat(
            record(22, handshake(2, serverHello(TLS12, HRR_RANDOM, 0x1301, ext(43, u16(TLS13))))),
            record(20, u8(1)));
    byte[] ch2 =
        concat(
            record(20, u8(1)),
            record(
                22,
                handshake(
                    1, clientHello(TLS12, new int[] {0x1301}, sni("b"), clientVersions(TLS13)))));
    byte[] sh =
        concat(
            record(22, handshake(2, serverHello(TLS12, new byte[32], 0x1301, ext(43, u16(TLS13))))),
            record(20, u8(1)),
            record(23, new byte[40]));
    tls.clientBytes(ch1, 0, ch1.length);
    tls.serverBytes(hrr, 0, hrr.length);
    tls.clientBytes(ch2, 0, ch2.length);
    assertFalse(tls.finished());
    tls.serverBytes(sh, 0, sh.length);
    assertEquals(
        List.of("ClientHello a []", "ServerHello 304 HRR", "ClientHello b []", "ServerHello 304"),
        heard);
    assertTrue(tls.finished(), "the client's later records are encrypted");
  }

  @Test
  void aBadMessageIsReportedAndTheHandshakeGoesOn() {
    TlsConversation tls = new TlsConversation(listener);
    byte[] bad = record(22, handshake(1, u8(3, 3, 0)));
    byte[] good = record(22, handshake(2, serverHello(TLS12, new byte[32], 0x2f)));
    byte[] junk = "HTTP/1.1 400".getBytes();
    tls.clientBytes(bad, 0, bad.length);
    tls.serverBytes(good, 0, good.length);
    tls.serverBytes(junk, 0, junk.length);
    tls.serverBytes(junk, 0, junk.length);
    assertEquals(
        List.of("malformed truncated", "ServerHello 303", "malformed bad_record_type"), heard);
    assertEquals(State.MALFORMED, tls.server().state());
    assertEquals(State.HANDSHAKE, tls.client().state());
  }

  @Test
  void onlyTheFirstCertificateOfTheServerHelloSideIsRead() {
    TlsConversation tls = new TlsConversation(listener);
    byte[] server =
        concat(
            record(22, handshake(2, serverHello(TLS12, new byte[32], 0x2f))),
            record(22, handshake(11, vec24(vec24(u8(0x30, 0))))),
            record(22, handshake(11, vec24(vec24(u8(0x30, 1, 0))))));
    byte[] clientCert = record(22, handshake(11, vec24(vec24(u8(0x30, 2, 0, 0)))));
    tls.clientBytes(clientCert, 0, clientCert.length);
    tls.serverBytes(server, 0, server.length);
    assertEquals(2, heard.size(), heard.toString());
    assertTrue(heard.get(1).startsWith("Certificate  "), heard.get(1)); // undecodable: no subject
  }

  private List<JdkTls.Chunk> jdkHandshake(String protocol) throws Exception {
    return JdkTls.handshake(
        JdkTls.client(keys, protocol, "vigil.test", "h2", "http/1.1"),
        JdkTls.server(keys, protocol));
  }

  private static void replay(List<JdkTls.Chunk> chunks, TlsConversation tls) {
    for (JdkTls.Chunk c : chunks) {
      if (c.fromClient()) {
        tls.clientBytes(c.data(), 0, c.data().length);
      } else {
        tls.serverBytes(c.data(), 0, c.data().length);
      }
    }
  }
}
