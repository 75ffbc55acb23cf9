package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.alpn;
import static io.vigil.agent.packet.tls.TlsWire.clientHello;
import static io.vigil.agent.packet.tls.TlsWire.clientVersions;
import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.ext;
import static io.vigil.agent.packet.tls.TlsWire.groups;
import static io.vigil.agent.packet.tls.TlsWire.pointFormats;
import static io.vigil.agent.packet.tls.TlsWire.signatureAlgorithms;
import static io.vigil.agent.packet.tls.TlsWire.sni;
import static io.vigil.agent.packet.tls.TlsWire.u16;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static io.vigil.agent.packet.tls.TlsWire.vec16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientHelloTest {
  /**
   * A ClientHello body as the JDK's TLS 1.3 client writes it (SNI vigil.test, ALPN h2, http/1.1).
   */
  private static byte[] jdkHello;

  @BeforeAll
  static void jdkClientHello(@TempDir Path dir) throws Exception {
    KeyStore ks = JdkTls.keyStore(dir);
    byte[] records =
        JdkTls.clientHelloRecords(JdkTls.client(ks, "TLSv1.3", "vigil.test", "h2", "http/1.1"));
    List<byte[]> messages = new ArrayList<>();
    new TlsRecordAssembler((t, b) -> messages.add(b)).feed(records, 0, records.length);
    assertEquals(1, messages.size());
    jdkHello = messages.get(0);
  }

  @Test
  void readsTheJdksClientHello() throws Exception {
    ClientHello h = ClientHello.parse(jdkHello);
    assertEquals(0x0303, h.legacyVersion());
    assertEquals("vigil.test", h.serverName());
    assertEquals(List.of("h2", "http/1.1"), h.alpnProtocols());
    assertTrue(h.supportedVersions().contains(0x0304), h.supportedVersions().toString());
    assertTrue(h.cipherSuites().contains(0x1301), h.cipherSuites().toString()); // AES_128_GCM
    assertTrue(h.supportedGroups().contains(29), h.supportedGroups().toString()); // x25519
    assertTrue(h.signatureAlgorithms().contains(0x0403), h.signatureAlgorithms().toString());
    assertEquals(List.of(0), h.compressionMethods());
    assertEquals(64, h.sessionId().length(), "TLS 1.3 compatibility-mode session id, 32 bytes");
    assertTrue(h.hasExtension(TlsExtension.SERVER_NAME));
    assertEquals(h.extensions().size(), h.extensionTypes().size());
  }

  @Test
  void keepsEveryValueInWireOrderGreaseIncluded() throws Exception {
    byte[] body =
        clientHello(
            0x0303,
            new int[] {0x0a0a, 0x1301, 0xc02b},
            ext(0x1a1a, new byte[0]),
            sni("example.com"),
            alpn("h2", "http/1.1"),
            clientVersions(0x2a2a, 0x0304, 0x0303),
            groups(0x3a3a, 29, 23),
            pointFormats(0),
            signatureAlgorithms(0x0403, 0x0804),
            ext(0xfafa, u8(0)));
    ClientHello h = ClientHello.parse(body);
    assertEquals("01020304", h.sessionId());
    assertEquals(List.of(0x0a0a, 0x1301, 0xc02b), h.cipherSuites());
    assertEquals(List.of(0x1a1a, 0, 16, 43, 10, 11, 13, 0xfafa), h.extensionTypes());
    assertEquals("example.com", h.serverName());
    assertEquals(List.of(0x2a2a, 0x0304, 0x0303), h.supportedVersions());
    assertEquals(List.of(0x3a3a, 29, 23), h.supportedGroups());
    assertEquals(List.of(0), h.ecPointFormats());
    assertEquals(List.of(0x0403, 0x0804), h.signatureAlgorithms());
    assertTrue(h.extensions().get(0).isGrease());
    assertEquals(1, h.extensions().get(7).length());
  }

  @Test
  void aHelloWithoutExtensionsBlockOrWithEmptyListsParses() throws Exception {
    ClientHello old = ClientHello.parse(clientHello(0x0300, new int[] {4, 5}, (byte[][]) null));
    assertEquals(List.of(), old.extensions());
    assertNull(old.serverName());
    ClientHello empty = ClientHello.parse(clientHello(0x0303, new int[0], ext(0, new byte[0])));
    assertEquals(List.of(), empty.cipherSuites());
    assertTrue(empty.hasExtension(TlsExtension.SERVER_NAME), "SNI present even when empty");
    assertNull(empty.serverName());
  }

  @Test
  void aDtlsHelloHasACookieAfterTheSessionId() throws Exception {
    byte[] tls = clientHello(0xfefd, new int[] {0xc02b}, sni("dtls.example"));
    int afterSessionId = 2 + 32 + 1 + 4;
    byte[] dtls =
        concat(
            java.util.Arrays.copyOf(tls, afterSessionId),
            u8(3, 7, 7, 7),
            java.util.Arrays.copyOfRange(tls, afterSessionId, tls.length));
    ClientHello h = ClientHello.parseDtls(dtls, 0, dtls.length);
    assertEquals("dtls.example", h.serverName());
    assertEquals(List.of(0xc02b), h.cipherSuites());
    assertEquals(
        "dd2d", Ja4.of(h, Ja4.Transport.DTLS).fingerprint().substring(0, 4)); // DTLS, 1.2, SNI
    assertThrows(TlsParseException.class, () -> ClientHello.parse(dtls));
  }

  @Test
  void serverNameBytesOutsidePrintableAsciiAreEscaped() throws Exception {
    ClientHello h = ClientHello.parse(clientHello(0x0303, new int[] {1}, sni("a b\\c\u00ff")));
    assertEquals("a\\032b\\\\c\\255", h.serverName());
  }

  @Test
  void aRepeatedExtensionKeepsBothButFieldsComeFromTheFirst() throws Exception {
    ClientHello h =
        ClientHello.parse(clientHello(0x0303, new int[] {1}, sni("first"), sni("second")));
    assertEquals(List.of(0, 0), h.extensionTypes());
    assertEquals("first", h.serverName());
  }

  @Test
  void malformedHellosSayWhy() {
    assertReason(
        TlsMalformed.BAD_LENGTH,
        concat(u16(0x0303), new byte[32], u8(0), u16(3), u8(0, 1, 2), u8(1, 0)));
    assertReason(
        TlsMalformed.TRAILING_DATA, concat(clientHello(0x0303, new int[] {1}, sni("a")), u8(0)));
    assertReason(
        TlsMalformed.TRUNCATED,
        concat(clientHello(0x0303, new int[] {1}, (byte[][]) null), u16(6), u16(0), u16(9)));
    // server_name list length says 10 but the extension holds 3 bytes after it.
    assertReason(
        TlsMalformed.BAD_EXTENSION,
        clientHello(0x0303, new int[] {1}, ext(0, concat(u16(10), u8(0, 0, 1)))));
    // supported_groups with an odd byte count.
    assertReason(
        TlsMalformed.BAD_EXTENSION,
        clientHello(0x0303, new int[] {1}, ext(10, vec16(u8(0, 29, 0)))));
    // ALPN with bytes after the protocol list.
    assertReason(
        TlsMalformed.BAD_EXTENSION,
        clientHello(0x0303, new int[] {1}, ext(16, concat(vec16(u8(2, 'h', '2')), u8(0)))));
    assertReason(TlsMalformed.TRUNCATED, new byte[0]);
  }

  @Test
  void everyTruncationOfARealHelloIsMalformedOrAShorterValidHello() {
    // The only proper prefix that is itself a valid hello ends right after the compression
    // methods: a hello without an extensions block.
    int sessionIdLength = jdkHello[34] & 0xff;
    int ciphers =
        ((jdkHello[35 + sessionIdLength] & 0xff) << 8) | (jdkHello[36 + sessionIdLength] & 0xff);
    int compressionAt = 37 + sessionIdLength + ciphers;
    int noExtensionsEnd = compressionAt + 1 + (jdkHello[compressionAt] & 0xff);
    for (int len = 0; len < jdkHello.length; len++) {
      try {
        ClientHello h = ClientHello.parse(jdkHello, 0, len);
        assertEquals(noExtensionsEnd, len, "only the extension-less prefix parses");
        assertEquals(List.of(), h.extensions());
      } catch (TlsParseException e) {
        assertTrue(e.reason() != null, "cut at " + len);
      }
    }
  }

  @Test
  void corruptedBytesNeverThrowAnythingButTheMalformedResult() {
    Random random = new Random(8701);
    for (int i = 0; i < jdkHello.length; i++) {
      for (int k = 0; k < 8; k++) {
        byte[] b = jdkHello.clone();
        b[i] = (byte) random.nextInt(256);
        try {
          ClientHello.parse(b);
        } catch (TlsParseException expected) {
          // the documented result
        }
      }
    }
  }

  private static void assertReason(TlsMalformed reason, byte[] body) {
    TlsParseException e = assertThrows(TlsParseException.class, () -> ClientHello.parse(body));
    assertEquals(reason, e.reason(), e.getMessage());
  }
}
