package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.hex;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static io.vigil.agent.packet.tls.TlsWire.vec24;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCertificateTest {
  private static X509Certificate cert;
  private static byte[] der;

  @BeforeAll
  static void certificate(@TempDir Path dir) throws Exception {
    cert = JdkTls.certificate(JdkTls.keyStore(dir));
    der = cert.getEncoded();
  }

  @Test
  void theLeafOfAChainIsDecoded() throws Exception {
    byte[] body = vec24(vec24(der), vec24(u8(0x30, 0x00)));
    ServerCertificate c = ServerCertificate.parse(body).orElseThrow();
    assertTrue(c.decoded());
    assertEquals(JdkTls.SUBJECT, c.subject());
    assertEquals(JdkTls.SUBJECT, c.issuer(), "self-signed");
    assertEquals(cert.getNotBefore().getTime() * 1_000_000L, c.notBeforeNs());
    assertEquals(cert.getNotAfter().getTime() * 1_000_000L, c.notAfterNs());
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der)), c.sha256());
    assertEquals(der.length, c.derLength());
    assertEquals(2, c.chainLength());
  }

  /** suricata-verify's bug-1450-04: a "certificate" that is a DER header with a bogus length. */
  @Test
  void anUndecodableCertificateStillHasItsHash() throws Exception {
    byte[] bogus = hex("30053084ffffff");
    ServerCertificate c = ServerCertificate.parse(vec24(vec24(bogus))).orElseThrow();
    assertFalse(c.decoded());
    assertEquals("", c.subject());
    assertEquals("", c.issuer());
    assertEquals(0, c.notBeforeNs());
    assertEquals(
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bogus)), c.sha256());
  }

  @Test
  void anEmptyListHasNoCertificate() throws Exception {
    assertEquals(Optional.empty(), ServerCertificate.parse(vec24()));
  }

  @Test
  void malformedMessagesSayWhy() {
    assertReason(TlsMalformed.BAD_LENGTH, vec24(u8(0, 0, 0)));
    assertReason(TlsMalformed.TRAILING_DATA, concat(vec24(vec24(der)), u8(0)));
    assertReason(TlsMalformed.TRUNCATED, concat(u8(0, 0, 9), vec24(u8(1, 2))));
    assertReason(TlsMalformed.TRUNCATED, new byte[2]);
  }

  @Test
  void everyTruncationAndCorruptionIsTheDocumentedResult() {
    byte[] body = vec24(vec24(der));
    for (int len = 0; len < body.length; len++) {
      byte[] cut = java.util.Arrays.copyOf(body, len);
      assertThrows(TlsParseException.class, () -> ServerCertificate.parse(cut), "cut at " + len);
    }
    Random random = new Random(5246);
    for (int i = 6; i < body.length; i++) {
      byte[] b = body.clone();
      b[i] = (byte) random.nextInt(256);
      try {
        ServerCertificate c = ServerCertificate.parse(b).orElseThrow();
        assertEquals(64, c.sha256().length());
      } catch (TlsParseException e) {
        throw new AssertionError("framing bytes were not touched", e);
      }
    }
  }

  @Test
  void validityBeyond2262Saturates() {
    assertEquals(Long.MAX_VALUE, ServerCertificate.epochNs(new Date(253402300799000L))); // 9999
    assertEquals(Long.MIN_VALUE, ServerCertificate.epochNs(new Date(-62135596800000L))); // 0001
    assertEquals(-1_000_000L, ServerCertificate.epochNs(new Date(-1)));
  }

  private static void assertReason(TlsMalformed reason, byte[] body) {
    TlsParseException e =
        assertThrows(TlsParseException.class, () -> ServerCertificate.parse(body));
    assertEquals(reason, e.reason(), e.getMessage());
  }
}
