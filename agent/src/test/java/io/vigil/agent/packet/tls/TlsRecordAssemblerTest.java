package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.handshake;
import static io.vigil.agent.packet.tls.TlsWire.record;
import static io.vigil.agent.packet.tls.TlsWire.u16;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.tls.TlsRecordAssembler.State;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsRecordAssemblerTest {
  private static final int CCS = 20;
  private static final int ALERT = 21;
  private static final int HANDSHAKE = 22;
  private static final int APP = 23;

  private final List<String> seen = new ArrayList<>();
  private final HandshakeHandler handler = (t, b) -> seen.add(t + ":" + b.length);

  /** A 300-byte ClientHello-typed message cut over three records, then two messages in one. */
  private static final byte[] STREAM;

  static {
    byte[] big = handshake(1, new byte[300]);
    STREAM =
        concat(
            record(HANDSHAKE, Arrays.copyOfRange(big, 0, 2)),
            record(HANDSHAKE, Arrays.copyOfRange(big, 2, 150)),
            record(ALERT, u8(1, 0)),
            record(HANDSHAKE, Arrays.copyOfRange(big, 150, big.length)),
            record(HANDSHAKE, concat(handshake(2, new byte[40]), handshake(14, new byte[0]))),
            record(24, u8(1, 0, 3, 'a', 'b', 'c')));
  }

  private static final List<String> MESSAGES = List.of("1:300", "2:40", "14:0");

  @Test
  void joinsMessagesAcrossRecordsAndSplitsRecordsIntoMessages() {
    TlsRecordAssembler a = new TlsRecordAssembler(handler);
    a.feed(STREAM, 0, STREAM.length);
    assertEquals(MESSAGES, seen);
    assertEquals(State.HANDSHAKE, a.state(), "alerts and heartbeats are skipped");
  }

  @Test
  void theStreamSplitAtEveryByteBoundaryGivesTheSameMessages() {
    for (int cut = 0; cut <= STREAM.length; cut++) {
      seen.clear();
      TlsRecordAssembler a = new TlsRecordAssembler(handler);
      a.feed(STREAM, 0, cut);
      a.feed(STREAM, cut, STREAM.length - cut);
      assertEquals(MESSAGES, seen, "cut at " + cut);
    }
    for (int cut = 1; cut < STREAM.length; cut += 7) {
      seen.clear();
      TlsRecordAssembler a = new TlsRecordAssembler(handler);
      for (int i = 0; i < STREAM.length; i += cut) {
        a.feed(STREAM, i, Math.min(cut, STREAM.length - i));
      }
      assertEquals(MESSAGES, seen, "pieces of " + cut);
    }
  }

  @Test
  void changeCipherSpecOrApplicationDataEndsTheHandshake() {
    for (int type : new int[] {CCS, APP}) {
      seen.clear();
      byte[] s =
          concat(
              record(HANDSHAKE, handshake(2, new byte[4])),
              record(type, u8(1)),
              record(HANDSHAKE, handshake(20, new byte[12])));
      TlsRecordAssembler a = new TlsRecordAssembler(handler);
      a.feed(s, 0, s.length);
      assertEquals(List.of("2:4"), seen, "encrypted Finished not read after " + type);
      assertEquals(State.DONE, a.state());
      assertNull(a.reason());
    }
  }

  @Test
  void afterAHelloRetryRequestChangeCipherSpecIsSkipped() {
    byte[] s =
        concat(
            record(CCS, u8(1)),
            record(HANDSHAKE, handshake(1, new byte[7])),
            record(APP, new byte[20]),
            record(HANDSHAKE, handshake(1, new byte[7])));
    TlsRecordAssembler a = new TlsRecordAssembler(handler);
    a.ignoreChangeCipherSpec();
    a.feed(s, 0, s.length);
    assertEquals(List.of("1:7"), seen);
    assertEquals(State.DONE, a.state());
  }

  @Test
  void theHandlerCanEndTheHandshakeInsideOnePiece() {
    TlsRecordAssembler[] self = new TlsRecordAssembler[1];
    self[0] =
        new TlsRecordAssembler(
            (t, b) -> {
              seen.add(String.valueOf(t));
              self[0].encryptionStarted();
            });
    self[0].feed(STREAM, 0, STREAM.length);
    assertEquals(List.of("1"), seen);
    assertEquals(State.DONE, self[0].state());
  }

  @Test
  void malformedRecordsSayWhyAndStop() {
    assertMalformed(concat(u8(0x80, 0x2e, 1), new byte[0x2e]), "bad_record_type"); // SSL 2.0
    assertMalformed(concat(u8(HANDSHAKE), u16(0x0200), u16(4), new byte[4]), "bad_record_version");
    assertMalformed(
        concat(u8(HANDSHAKE), u16(0x0303), u16(TlsRecordAssembler.MAX_RECORD_LENGTH + 1)),
        "bad_record_length");
    assertMalformed("GET / HTTP/1.1\r\n".getBytes(), "bad_record_type");
  }

  @Test
  void aMessageOverTheBoundIsMalformedTooLarge() {
    byte[] s = record(HANDSHAKE, handshake(11, new byte[1001]));
    TlsRecordAssembler a = new TlsRecordAssembler(handler, 1000);
    a.feed(s, 0, 9); // record header and handshake header only
    assertEquals(State.MALFORMED, a.state());
    assertEquals(TlsMalformed.TOO_LARGE, a.malformed());
    assertEquals("too_large", a.reason());
    a.feed(s, 9, s.length - 9);
    TlsRecordAssembler roomy = new TlsRecordAssembler(handler, 1001);
    roomy.feed(s, 0, s.length);
    assertEquals(List.of("11:1001"), seen);
    assertEquals(128 * 1024, TlsRecordAssembler.DEFAULT_MAX_MESSAGE);
  }

  @Test
  void encryptionStartedDoesNotHideMalformed() {
    TlsRecordAssembler a = new TlsRecordAssembler(handler);
    a.feed(u8(99, 3, 3, 0, 0), 0, 5);
    a.encryptionStarted();
    assertEquals(State.MALFORMED, a.state());
  }

  @Test
  void looksLikeTlsWantsAHandshakeRecordHeaderAndAHello() {
    byte[] hello = record(HANDSHAKE, handshake(1, new byte[40]));
    assertTrue(TlsRecordAssembler.looksLikeTls(hello, 0, hello.length));
    assertTrue(TlsRecordAssembler.looksLikeTls(hello, 0, 5), "header only: cannot see the type");
    assertFalse(TlsRecordAssembler.looksLikeTls(hello, 0, 4));
    byte[] serverHello = record(HANDSHAKE, handshake(2, new byte[40]));
    assertTrue(TlsRecordAssembler.looksLikeTls(serverHello, 0, serverHello.length));
    byte[] shifted = concat(u8(5, 1, 0, 0), hello);
    assertFalse(TlsRecordAssembler.looksLikeTls(shifted, 0, shifted.length));
    assertTrue(TlsRecordAssembler.looksLikeTls(shifted, 4, shifted.length - 4));
    assertFalse(TlsRecordAssembler.looksLikeTls(record(HANDSHAKE, handshake(11, u8(0))), 0, 9));
    assertFalse(TlsRecordAssembler.looksLikeTls(record(APP, new byte[9]), 0, 14));
    for (int version : new int[] {0x0200, 0x0305, 0x0103}) {
      byte[] b = concat(u8(HANDSHAKE), u16(version), u16(4), u8(1, 0, 0, 0));
      assertFalse(TlsRecordAssembler.looksLikeTls(b, 0, b.length), Integer.toHexString(version));
    }
    for (int version = 0x0300; version <= 0x0304; version++) {
      byte[] b = concat(u8(HANDSHAKE), u16(version), u16(4), u8(1, 0, 0, 0));
      assertTrue(TlsRecordAssembler.looksLikeTls(b, 0, b.length), Integer.toHexString(version));
    }
    byte[] empty = concat(u8(HANDSHAKE), u16(0x0301), u16(0));
    assertFalse(TlsRecordAssembler.looksLikeTls(empty, 0, 5));
    byte[] huge = concat(u8(HANDSHAKE), u16(0x0301), u16(TlsRecordAssembler.MAX_RECORD_LENGTH + 1));
    assertFalse(TlsRecordAssembler.looksLikeTls(huge, 0, 5));
    assertFalse(TlsRecordAssembler.looksLikeTls(null, 0, 5));
    assertFalse(TlsRecordAssembler.looksLikeTls(hello, hello.length - 2, 5), "range outside");
    assertFalse(TlsRecordAssembler.looksLikeTls(hello, -1, 5));
  }

  /**
   * Random streams that start like TLS (so they get past the first header) and carry random
   * records: the assembler and the parsers behind a conversation only ever end DONE or MALFORMED or
   * keep reading, and never throw.
   */
  @Test
  void randomStreamsNeverThrow() {
    java.util.Random random = new java.util.Random(20);
    for (int round = 0; round < 2000; round++) {
      byte[] s = new byte[random.nextInt(3000)];
      random.nextBytes(s);
      if (s.length > 5 && round % 2 == 0) {
        s[0] = HANDSHAKE;
        s[1] = 3;
        s[3] = (byte) random.nextInt(8);
      }
      TlsConversation tls = new TlsConversation(new TlsConversation.Listener() {}, 4096);
      for (int i = 0; i < s.length; ) {
        int n = Math.min(1 + random.nextInt(64), s.length - i);
        if (random.nextBoolean()) {
          tls.clientBytes(s, i, n);
        } else {
          tls.serverBytes(s, i, n);
        }
        i += n;
      }
    }
  }

  private void assertMalformed(byte[] s, String reason) {
    TlsRecordAssembler a = new TlsRecordAssembler(handler);
    a.feed(s, 0, s.length);
    assertEquals(State.MALFORMED, a.state());
    assertEquals(reason, a.reason());
    byte[] more = record(HANDSHAKE, handshake(1, new byte[3]));
    a.feed(more, 0, more.length);
    assertTrue(seen.isEmpty(), "nothing read after");
  }
}
