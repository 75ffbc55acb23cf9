package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.HRR_RANDOM;
import static io.vigil.agent.packet.tls.TlsWire.TLS12;
import static io.vigil.agent.packet.tls.TlsWire.TLS13;
import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.ext;
import static io.vigil.agent.packet.tls.TlsWire.serverHello;
import static io.vigil.agent.packet.tls.TlsWire.u16;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static io.vigil.agent.packet.tls.TlsWire.vec16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerHelloTest {
  private static final byte[] RANDOM = new byte[32];

  @Test
  void aTls12ServerHello() throws Exception {
    ServerHello h =
        ServerHello.parse(
            serverHello(TLS12, RANDOM, 0xc02f, ext(0xff01, u8(0)), ext(11, u8(1, 0))));
    assertEquals(TLS12, h.legacyVersion());
    assertEquals("0909", h.sessionId());
    assertEquals(0xc02f, h.cipherSuite());
    assertEquals(0, h.compressionMethod());
    assertEquals(List.of(0xff01, 11), h.extensionTypes());
    assertEquals(0, h.selectedVersion());
    assertEquals(TLS12, h.version());
    assertFalse(h.isTls13());
    assertFalse(h.helloRetryRequest());
  }

  @Test
  void aTls13ServerHelloNamesItsVersionInSupportedVersions() throws Exception {
    ServerHello h =
        ServerHello.parse(
            serverHello(TLS12, RANDOM, 0x1301, ext(51, new byte[36]), ext(43, u16(TLS13))));
    assertEquals(TLS13, h.selectedVersion());
    assertEquals(TLS13, h.version());
    assertTrue(h.isTls13());
    assertFalse(h.helloRetryRequest());
  }

  @Test
  void aHelloRetryRequestIsRecognisedByItsRandom() throws Exception {
    ServerHello h =
        ServerHello.parse(
            serverHello(TLS12, HRR_RANDOM, 0x1301, ext(43, u16(TLS13)), ext(51, u16(23))));
    assertTrue(h.helloRetryRequest());
    assertTrue(h.isTls13());
  }

  @Test
  void earlyTls13DraftsHaveNoSessionIdOrCompression() throws Exception {
    for (int version : new int[] {0x7f13, TLS13}) {
      byte[] draft = concat(u16(version), RANDOM, u16(0x1302), vec16(ext(40, u8(1, 2))));
      ServerHello h = ServerHello.parse(draft);
      assertEquals(version, h.version());
      assertEquals(0x1302, h.cipherSuite());
      assertEquals(List.of(40), h.extensionTypes());
      assertEquals("", h.sessionId());
      assertTrue(h.isTls13());
    }
    // Draft 22 and later use the final layout.
    ServerHello late = ServerHello.parse(serverHello(0x7f16, RANDOM, 0x1301));
    assertEquals("0909", late.sessionId());
  }

  @Test
  void aHelloWithoutExtensionsParses() throws Exception {
    byte[] old = concat(u16(0x0301), RANDOM, u8(0), u16(0x0039), u8(0));
    ServerHello h = ServerHello.parse(old);
    assertEquals(List.of(), h.extensions());
    assertEquals(0x39, h.cipherSuite());
  }

  @Test
  void malformedHellosSayWhy() {
    assertReason(
        TlsMalformed.BAD_EXTENSION, serverHello(TLS12, RANDOM, 1, ext(43, u16(TLS13, TLS12))));
    assertReason(TlsMalformed.TRAILING_DATA, concat(serverHello(TLS12, RANDOM, 1), u8(0)));
    assertReason(TlsMalformed.TRUNCATED, concat(u16(TLS12), RANDOM, u8(5), u8(1, 2)));
  }

  @Test
  void everyTruncationIsMalformedOrTheExtensionlessPrefix() {
    byte[] full =
        serverHello(
            TLS12,
            HRR_RANDOM,
            0x1301,
            ext(43, u16(TLS13)),
            ext(51, u16(23)),
            ext(44, new byte[20]));
    int noExtensionsEnd = 2 + 32 + 1 + 2 + 2 + 1;
    for (int len = 0; len < full.length; len++) {
      try {
        ServerHello.parse(full, 0, len);
        assertEquals(noExtensionsEnd, len);
      } catch (TlsParseException e) {
        assertTrue(e.reason() != null);
      }
    }
  }

  private static void assertReason(TlsMalformed reason, byte[] body) {
    TlsParseException e = assertThrows(TlsParseException.class, () -> ServerHello.parse(body));
    assertEquals(reason, e.reason(), e.getMessage());
  }
}
