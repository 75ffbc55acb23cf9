package io.vigil.agent.packet.quic;

import static io.vigil.agent.packet.quic.Vectors.RFC_DCID;
import static io.vigil.agent.packet.quic.Vectors.hex;
import static io.vigil.agent.packet.quic.Vectors.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.tls.ServerHello;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The published test vectors: RFC 9001 Appendix A (QUIC v1), RFC 9369 Appendix A (QUIC v2) and
 * draft-ietf-quic-tls-29 Appendix A, all for the client DCID 0x8394c8f03e515708: the derived client
 * and server keys, the protected client Initial packet opened to the example CRYPTO frame, and the
 * protected server Initial (A.3) opened to its ServerHello.
 */
class QuicRfcVectorsTest {

  @Test
  void v1ClientInitialKeysAreRfc9001A1s() {
    assertEquals(
        "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
        hex(InitialKeys.clientSecret(QuicVersion.V1, RFC_DCID)));
    InitialKeys k = InitialKeys.client(QuicVersion.V1, RFC_DCID);
    assertEquals("1f369613dd76d5467730efcbe3b1a22d", hex(k.key()));
    assertEquals("fa044b2f42a3fd3b46fb255c", hex(k.iv()));
    assertEquals("9f50449e04a0e810283a1e9933adedd2", hex(k.hp()));
  }

  @Test
  void v2ClientInitialKeysAreRfc9369A1s() {
    assertEquals(
        "14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
        hex(InitialKeys.clientSecret(QuicVersion.V2, RFC_DCID)));
    InitialKeys k = InitialKeys.client(QuicVersion.V2, RFC_DCID);
    assertEquals("8b1a0bc121284290a29e0971b5cd045d", hex(k.key()));
    assertEquals("91f73e2351d8fa91660e909f", hex(k.iv()));
    assertEquals("45b95e15235d6f45a6b19cbcb0294ba9", hex(k.hp()));
  }

  @Test
  void draft29ClientInitialKeysAreTheDrafts() {
    assertEquals(
        "0088119288f1d866733ceeed15ff9d50902cf82952eee27e9d4d4918ea371d87",
        hex(InitialKeys.clientSecret(QuicVersion.DRAFT_29, RFC_DCID)));
    InitialKeys k = InitialKeys.client(QuicVersion.DRAFT_29, RFC_DCID);
    assertEquals("175257a31eb09dea9366d8bb79ad80ba", hex(k.key()));
    assertEquals("6b26114b9cba2b63a9e8dd4f", hex(k.iv()));
  }

  @Test
  void v1ServerInitialKeysAreRfc9001A1s() {
    assertEquals(
        "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b",
        hex(InitialKeys.serverSecret(QuicVersion.V1, RFC_DCID)));
    InitialKeys k = InitialKeys.server(QuicVersion.V1, RFC_DCID);
    assertEquals("cf3a5331653c364c88f0f379b6067e37", hex(k.key()));
    assertEquals("0ac1493ca1905853b0bba03e", hex(k.iv()));
    assertEquals("c206b8d9b9f0f37644430b490eeaa314", hex(k.hp()));
  }

  @Test
  void v2ServerInitialKeysAreRfc9369A1s() {
    assertEquals(
        "0263db1782731bf4588e7e4d93b7463907cb8cd8200b5da55a8bd488eafc37c1",
        hex(InitialKeys.serverSecret(QuicVersion.V2, RFC_DCID)));
    InitialKeys k = InitialKeys.server(QuicVersion.V2, RFC_DCID);
    assertEquals("82db637861d55e1d011f19ea71d5d2a7", hex(k.key()));
    assertEquals("dd13c276499c0249d3310652", hex(k.iv()));
    assertEquals("edf6d05c83121201b436e16877593c3a", hex(k.hp()));
  }

  @Test
  void v1ServerInitialOpensToRfc9001A3sServerHello() throws Exception {
    serverOpensToTheExample(QuicVersion.V1, "rfc9001-a3-server-initial.hex");
  }

  @Test
  void v2ServerInitialOpensToRfc9369A3sServerHello() throws Exception {
    serverOpensToTheExample(QuicVersion.V2, "rfc9369-a3-server-initial.hex");
  }

  /**
   * The server's 135-byte Initial: empty DCID, SCID f067a5502a4262b5, packet number 1 in two bytes,
   * ACK then CRYPTO; the client's keys do not open it, the server's from the client's ID do, and
   * the assembler gives the CRYPTO frame's data as a TLS 1.3 ServerHello choosing
   * TLS_AES_128_GCM_SHA256.
   */
  private static void serverOpensToTheExample(QuicVersion v, String packetFile) throws Exception {
    byte[] packet = resource(packetFile);
    byte[] payload = resource("rfc9001-a3-server-payload.hex");
    assertEquals(135, packet.length);
    assertFalse(QuicInitialDecryptor.looksLikeQuicInitial(packet, 0, packet.length), "< 1200");

    LongHeader h = QuicInitialDecryptor.parseLongHeader(packet, 0, packet.length);
    assertEquals(v, h.version());
    assertTrue(h.initial());
    assertEquals(0, h.dcid().length);
    assertEquals("f067a5502a4262b5", hex(h.scid()));
    assertEquals(135, h.end());
    QuicMalformedException wrongKeys =
        assertThrows(
            QuicMalformedException.class,
            () -> QuicInitialDecryptor.open(packet, h, InitialKeys.client(v, RFC_DCID), -1));
    assertEquals(QuicMalformed.UNDECRYPTABLE, wrongKeys.reason());

    InitialPacket p = QuicInitialDecryptor.open(packet, h, InitialKeys.server(v, RFC_DCID), -1);
    assertEquals(1, p.packetNumber());
    assertArrayEquals(payload, p.payload());

    QuicServerHelloAssembler a = new QuicServerHelloAssembler(RFC_DCID);
    assertEquals(QuicServerHelloAssembler.State.COMPLETE, a.offer(packet, 0, packet.length));
    byte[] message = a.serverHello().orElseThrow();
    // ACK (5 bytes), then CRYPTO type, offset 0, 2-byte length 0x5a: the 90-byte ServerHello.
    assertArrayEquals(Arrays.copyOfRange(payload, 9, 99), message);
    assertEquals(v, a.version().orElseThrow());
    ServerHello hello = ServerHello.parse(Arrays.copyOfRange(message, 4, message.length));
    assertEquals(0x1301, hello.cipherSuite());
    assertEquals(0x0304, hello.version());
    assertFalse(hello.helloRetryRequest());
  }

  @Test
  void testSealerReproducesTheExampleServerPackets() {
    byte[] payload = resource("rfc9001-a3-server-payload.hex");
    byte[] scid = hex("f067a5502a4262b5");
    for (QuicVersion v : new QuicVersion[] {QuicVersion.V1, QuicVersion.V2}) {
      assertArrayEquals(
          resource(
              v == QuicVersion.V1
                  ? "rfc9001-a3-server-initial.hex"
                  : "rfc9369-a3-server-initial.hex"),
          InitialSealer.sealServer(v, RFC_DCID, new byte[0], scid, 1, 2, payload),
          v.name());
    }
  }

  @Test
  void v1ClientInitialOpensToRfc9001A2sCryptoFrame() throws Exception {
    opensToTheExample(
        QuicVersion.V1, "rfc9001-a2-client-initial.hex", "rfc9001-a2-crypto-frame.hex");
  }

  @Test
  void v2ClientInitialOpensToRfc9369A2sCryptoFrame() throws Exception {
    opensToTheExample(
        QuicVersion.V2, "rfc9369-a2-client-initial.hex", "rfc9001-a2-crypto-frame.hex");
  }

  @Test
  void draft29ClientInitialOpensToTheDraftsCryptoFrame() throws Exception {
    opensToTheExample(
        QuicVersion.DRAFT_29, "draft29-client-initial.hex", "draft29-crypto-frame.hex");
  }

  /**
   * The header fields, packet number 2 under header protection, and a payload that is the CRYPTO
   * frame then PADDING to 1162 bytes; the assembler gives the frame's data as the ClientHello.
   */
  private static void opensToTheExample(QuicVersion v, String packetFile, String frameFile)
      throws Exception {
    byte[] packet = resource(packetFile);
    byte[] frame = resource(frameFile);
    assertEquals(1200, packet.length);
    assertTrue(QuicInitialDecryptor.looksLikeQuicInitial(packet, 0, packet.length));

    LongHeader h = QuicInitialDecryptor.parseLongHeader(packet, 0, packet.length);
    assertEquals(v, h.version());
    assertTrue(h.initial());
    assertArrayEquals(RFC_DCID, h.dcid());
    assertEquals(0, h.scid().length);
    assertEquals(0, h.token().length);
    assertEquals(18, h.packetNumberOffset(), "after the 2-byte Length 0x449e");
    assertEquals(1200, h.end(), "Length 1182 covers the rest of the datagram");

    InitialPacket p = QuicInitialDecryptor.open(packet, h, InitialKeys.client(v, RFC_DCID), -1);
    assertEquals(2, p.packetNumber());
    assertEquals(1162, p.payload().length);
    assertArrayEquals(frame, Arrays.copyOf(p.payload(), frame.length));
    assertArrayEquals(
        new byte[1162 - frame.length],
        Arrays.copyOfRange(p.payload(), frame.length, 1162),
        "PADDING");

    // The CRYPTO frame: type 6, offset 0, 2-byte length, then one whole ClientHello.
    byte[] clientHello = Arrays.copyOfRange(frame, 4, frame.length);
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(QuicClientHelloAssembler.State.COMPLETE, a.offer(packet, 0, packet.length));
    assertArrayEquals(clientHello, a.clientHello().orElseThrow());
    assertEquals(v, a.version().orElseThrow());
    assertEquals(
        v == QuicVersion.DRAFT_29 ? "server" : "example.com",
        ClientHelloSni.of(clientHello).orElseThrow());
  }

  /**
   * The test-only sealer rebuilds each example packet exactly from its unprotected header and
   * payload, so the packets other tests build with it are ones a real client could send.
   */
  @Test
  void testSealerReproducesTheExamplePackets() {
    byte[] v1 = resource("rfc9001-a2-crypto-frame.hex");
    byte[] d29 = resource("draft29-crypto-frame.hex");
    assertArrayEquals(resource("rfc9001-a2-client-initial.hex"), sealExample(QuicVersion.V1, v1));
    assertArrayEquals(resource("rfc9369-a2-client-initial.hex"), sealExample(QuicVersion.V2, v1));
    assertArrayEquals(
        resource("draft29-client-initial.hex"), sealExample(QuicVersion.DRAFT_29, d29));
  }

  private static byte[] sealExample(QuicVersion v, byte[] frame) {
    byte[] payload = Arrays.copyOf(frame, 1162);
    return InitialSealer.seal(v, RFC_DCID, RFC_DCID, new byte[0], new byte[0], 2, 4, payload);
  }

  /** RFC 9000 A.3's example, and the edges of the window. */
  @Test
  void packetNumbersDecodeAsRfc9000A3() {
    assertEquals(0xa82f9b32L, QuicInitialDecryptor.decodePacketNumber(0xa82f30eaL, 0x9b32, 16));
    assertEquals(2, QuicInitialDecryptor.decodePacketNumber(-1, 2, 32));
    assertEquals(0x100, QuicInitialDecryptor.decodePacketNumber(0xff, 0x00, 8));
    assertEquals(0xff, QuicInitialDecryptor.decodePacketNumber(0x100, 0xff, 8));
  }
}
