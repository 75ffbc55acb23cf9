package io.vigil.agent.packet.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsParserTest {

  /** www.example.com A: CNAME to cdn.example.com (compressed), two A records, an EDNS OPT. */
  static byte[] realisticResponse() {
    DnsWire w = DnsWire.header(0x1234, 0x8180, 1, 3, 0, 1);
    w.question("www.example.com", 1, 1); // name at 12, "example.com" at 16
    w.pointer(12).rrTail(5, 1, 300, DnsWire.data().labels("cdn").pointer(16).build());
    int cdn = 33 + 12;
    w.pointer(cdn).rrTail(1, 1, 60, DnsWire.ip(93, 184, 216, 34));
    w.pointer(cdn).rrTail(1, 1, 60, DnsWire.ip(1, 2, 3, 4));
    w.u8(0).rrTail(41, 1232, 0, new byte[0]);
    return w.build();
  }

  static DnsMessage parse(byte[] b) {
    return DnsParser.parse(b, 0, b.length);
  }

  @Test
  void parsesQueryHeaderAndQuestion() {
    byte[] b =
        DnsWire.header(0xbeef, 0x0100, 1, 0, 0, 0).question("Www.Example.COM", 28, 1).build();
    DnsMessage m = parse(b);
    assertNull(m.malformed());
    assertTrue(m.headerComplete());
    assertEquals(0xbeef, m.id());
    assertFalse(m.isResponse());
    assertTrue(m.recursionDesired());
    assertEquals(0, m.opcode());
    assertEquals(List.of(new DnsQuestion("Www.Example.COM", 28, 1)), m.questions());
    assertEquals("AAAA", m.question().typeName());
    assertEquals(-1, m.ednsUdpSize());
  }

  @Test
  void parsesCompressedResponseWithCnameChainAndEdns() {
    DnsMessage m = parse(realisticResponse());
    assertNull(m.malformed());
    assertTrue(m.isResponse());
    assertTrue(m.recursionAvailable());
    assertFalse(m.authoritative());
    assertEquals("NOERROR", m.rcodeName());
    assertEquals(1232, m.ednsUdpSize());
    assertEquals(
        List.of(
            new DnsResourceRecord("www.example.com", 5, 1, 300, "cdn.example.com"),
            new DnsResourceRecord("cdn.example.com", 1, 1, 60, "93.184.216.34"),
            new DnsResourceRecord("cdn.example.com", 1, 1, 60, "1.2.3.4")),
        m.answers());
  }

  @Test
  void rendersEveryTypedRecord() {
    DnsWire w = DnsWire.header(1, 0x8580, 1, 12, 0, 0).question("example.org", 255, 1);
    byte[] v6 = new byte[16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[2] = 0x0d;
    v6[3] = (byte) 0xb8;
    v6[15] = 1;
    w.pointer(12).rrTail(28, 1, 1, v6);
    w.pointer(12).rrTail(2, 1, 2, DnsWire.data().labels("ns1").pointer(12).build());
    w.name("4.3.2.1.in-addr.arpa").rrTail(12, 1, 3, DnsWire.data().name("Host.Example").build());
    w.pointer(12).rrTail(39, 1, 4, DnsWire.data().name("other.net").build());
    w.pointer(12).rrTail(15, 1, 5, DnsWire.data().u16(10).labels("mx").pointer(12).build());
    byte[] txt =
        DnsWire.data()
            .label("v=spf1 -all".getBytes(StandardCharsets.US_ASCII))
            .label(new byte[] {'a', '"', 'b', '\\', 1, (byte) 0xe9})
            .label(new byte[0])
            .build();
    w.pointer(12).rrTail(16, 1, 6, txt);
    byte[] soa =
        DnsWire.data()
            .labels("ns1")
            .pointer(12)
            .labels("hostmaster")
            .pointer(12)
            .u32(2024010101L)
            .u32(7200)
            .u32(3600)
            .u32(1209600)
            .u32(4294967295L)
            .build();
    w.pointer(12).rrTail(6, 1, 7, soa);
    w.name("_sip._tcp.example.org")
        .rrTail(33, 1, 8, DnsWire.data().u16(10).u16(60).u16(5060).name("sip.example.org").build());
    byte[] https = DnsWire.data().u16(1).u8(0).u16(1).u16(3).bytes(2, 'h', '2').build(); // ALPN h2
    w.pointer(12).rrTail(65, 1, 9, https);
    w.pointer(12).rrTail(64, 1, 10, DnsWire.data().u16(2).name("svc.example.net").build());
    w.pointer(12).rrTail(65280, 1, 11, DnsWire.ip(0xde, 0xad, 0xbe, 0xef));
    w.pointer(12).rrTail(99, 1, 12, DnsWire.data().label("x y".getBytes()).build());
    DnsMessage m = parse(w.build());
    assertNull(m.malformed());
    assertTrue(m.authoritative());
    List<String> data = m.answers().stream().map(DnsResourceRecord::data).toList();
    assertEquals(
        List.of(
            "2001:db8::1",
            "ns1.example.org",
            "Host.Example",
            "other.net",
            "10 mx.example.org",
            "v=spf1 -all a\\\"b\\\\\\001\\233 ",
            "ns1.example.org hostmaster.example.org 2024010101 7200 3600 1209600 4294967295",
            "10 60 5060 sip.example.org",
            "1 .",
            "2 svc.example.net",
            "deadbeef",
            "x y"),
        data);
    assertEquals("4.3.2.1.in-addr.arpa", m.answers().get(2).name());
    assertEquals("TYPE65280", m.answers().get(10).typeName());
    assertEquals("HTTPS", m.answers().get(8).typeName());
    assertEquals(12L, m.answers().get(11).ttl());
  }

  @Test
  void boundsLongDataText() {
    DnsWire w = DnsWire.header(1, 0x8180, 0, 2, 0, 0);
    w.name("a").rrTail(10, 1, 0, new byte[1000]);
    byte[] txt = new byte[1000];
    for (int i = 0; i < 4; i++) {
      txt[i * 250] = (byte) 249;
    }
    w.name("a").rrTail(16, 1, 0, txt);
    DnsMessage m = parse(w.build());
    assertNull(m.malformed());
    for (DnsResourceRecord r : m.answers()) {
      assertEquals(DnsParser.MAX_DATA_CHARS, r.data().length());
      assertTrue(r.data().endsWith("..."));
    }
  }

  @Test
  void extendedRcodeFromOpt() {
    byte[] b =
        DnsWire.header(7, 0x8180, 1, 0, 0, 1)
            .question("a.example", 1, 1)
            .u8(0)
            .rrTail(41, 4096, 0x01000000L, new byte[0])
            .build();
    DnsMessage m = parse(b);
    assertNull(m.malformed());
    assertEquals(16, m.rcode());
    assertEquals("BADVERS", m.rcodeName());
    assertEquals(4096, m.ednsUdpSize());
    byte[] nx = DnsWire.header(7, 0x8183, 1, 0, 0, 0).question("a.example", 1, 1).build();
    assertEquals("NXDOMAIN", parse(nx).rcodeName());
    assertEquals("RCODE12", DnsNames.rcode(12));
  }

  @Test
  void escapesOddLabelBytesAndRendersRoot() {
    byte[] raw = {'a', 0, ' ', '.', '\\', (byte) 0xff, 'Z'};
    byte[] b =
        DnsWire.header(1, 0, 2, 0, 0, 0)
            .label(raw)
            .name("x")
            .u16(1)
            .u16(1)
            .name("")
            .u16(2)
            .u16(1)
            .build();
    DnsMessage m = parse(b);
    assertNull(m.malformed());
    assertEquals("a\\000\\032\\.\\\\\\255Z.x", m.questions().get(0).name());
    assertEquals(".", m.questions().get(1).name());
  }

  @Test
  void forwardPointerInsideMessageIsFollowed() {
    // The question's name points forward to a name stored in the answer's data.
    DnsWire w = DnsWire.header(1, 0x8180, 1, 1, 0, 0);
    // question 12..17: pointer, type, class; answer at 18: root owner, then 10 bytes; rdata at 29.
    w.pointer(29).u16(1).u16(1);
    w.u8(0).rrTail(5, 1, 1, DnsWire.data().name("fwd.example").build());
    byte[] b = w.build();
    DnsMessage m = parse(b);
    assertNull(m.malformed());
    assertEquals("fwd.example", m.question().name());
  }

  @Test
  void pointerLoopsAreDetected() {
    byte[] self = DnsWire.header(1, 0, 1, 0, 0, 0).pointer(12).u16(1).u16(1).build();
    assertEquals(DnsMalformed.POINTER_LOOP, parse(self).malformed());
    // Two pointers pointing at each other.
    byte[] pair = DnsWire.header(1, 0, 1, 0, 0, 0).pointer(14).pointer(12).u16(1).u16(1).build();
    assertEquals(DnsMalformed.POINTER_LOOP, parse(pair).malformed());
    // A label followed by a pointer back to the label: would grow forever.
    byte[] grow = DnsWire.header(1, 0, 1, 0, 0, 0).labels("ab").pointer(12).u16(1).u16(1).build();
    DnsMessage m = parse(grow);
    assertEquals(DnsMalformed.POINTER_LOOP, m.malformed());
    assertTrue(m.headerComplete());
    assertTrue(m.questions().isEmpty());
  }

  @Test
  void tooManyDistinctJumpsIsALoop() {
    // 70 pointers in a chain, each to the next: no offset repeats, but the jump bound stops it.
    DnsWire w = DnsWire.header(1, 0, 1, 0, 0, 0);
    int start = 18; // the question (pointer, type, class) ends there; the chain follows
    w.pointer(start).u16(1).u16(1);
    byte[] head = w.build();
    DnsWire chain = DnsWire.data();
    for (int i = 0; i < 70; i++) {
      chain.pointer(start + 2 * (i + 1));
    }
    chain.name("end");
    byte[] b = new DnsWire().bytes(head).bytes(chain.build()).build();
    assertEquals(DnsMalformed.POINTER_LOOP, parse(b).malformed());
  }

  @Test
  void pointerOutOfBoundsBadLabelAndLongName() {
    byte[] oob = DnsWire.header(1, 0, 1, 0, 0, 0).pointer(0x3fff).u16(1).u16(1).build();
    assertEquals(DnsMalformed.BAD_POINTER, parse(oob).malformed());
    byte[] justPast = DnsWire.header(1, 0, 1, 0, 0, 0).pointer(18).u16(1).u16(1).build();
    assertEquals(DnsMalformed.BAD_POINTER, parse(justPast).malformed());
    byte[] ext = DnsWire.header(1, 0, 1, 0, 0, 0).bytes(0x41, 0, 0, 0).u16(1).u16(1).build();
    assertEquals(DnsMalformed.BAD_LABEL, parse(ext).malformed());
    byte[] bin = DnsWire.header(1, 0, 1, 0, 0, 0).bytes(0x80, 0).u16(1).u16(1).build();
    assertEquals(DnsMalformed.BAD_LABEL, parse(bin).malformed());
    String l63 = "a".repeat(63);
    String name = String.join(".", l63, l63, l63, l63, "b");
    byte[] longName = DnsWire.header(1, 0, 1, 0, 0, 0).question(name, 1, 1).build();
    assertEquals(DnsMalformed.NAME_TOO_LONG, parse(longName).malformed());
    String ok = String.join(".", l63, l63, l63, "a".repeat(61));
    byte[] max = DnsWire.header(1, 0, 1, 0, 0, 0).question(ok, 1, 1).build();
    assertNull(parse(max).malformed());
    assertEquals(ok, parse(max).question().name());
  }

  @Test
  void truncatedAtEveryOffsetNeverThrowsAndSaysWhy() {
    byte[] full = realisticResponse();
    byte[] padded = new byte[full.length + 10];
    System.arraycopy(full, 0, padded, 5, full.length);
    for (int cut = 0; cut < full.length; cut++) {
      DnsMessage m = DnsParser.parse(full, 0, cut);
      assertNotNull(m.malformed(), "cut at " + cut);
      assertEquals(cut >= 12, m.headerComplete(), "cut at " + cut);
      DnsMessage shifted = DnsParser.parse(padded, 5, cut);
      assertEquals(m, shifted, "same result at an offset, cut at " + cut);
    }
    assertEquals(DnsMalformed.TRUNCATED, DnsParser.parse(full, 0, 40).malformed());
    DnsMessage whole = DnsParser.parse(padded, 5, full.length);
    assertNull(whole.malformed());
    assertEquals(3, whole.answers().size());
  }

  @Test
  void randomBytesNeverThrow() {
    Random rnd = new Random(6);
    byte[] base = realisticResponse();
    for (int i = 0; i < 20_000; i++) {
      byte[] b = i % 2 == 0 ? new byte[rnd.nextInt(80)] : base.clone();
      if (i % 2 == 0) {
        rnd.nextBytes(b);
      } else {
        for (int k = 0; k < 3; k++) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      DnsMessage m = DnsParser.parse(b, 0, b.length);
      assertTrue(m.answers().size() <= DnsParser.MAX_ANSWERS_KEPT);
    }
  }

  @Test
  void boundsRecordCounts() {
    DnsWire w = DnsWire.header(1, 0x8180, 1, 100, 0, 0).question("many.example", 1, 1);
    for (int i = 0; i < 100; i++) {
      w.pointer(12).rrTail(1, 1, 1, DnsWire.ip(10, 0, 0, i));
    }
    DnsMessage m = parse(w.build());
    assertNull(m.malformed());
    assertEquals(DnsParser.MAX_ANSWERS_KEPT, m.answers().size());
    assertEquals(36, m.answersNotKept());
    assertEquals("10.0.0.63", m.answers().get(63).data());

    byte[] many = DnsWire.header(1, 0, 65, 0, 0, 0).question("a", 1, 1).build();
    assertEquals(DnsMalformed.TOO_MANY_RECORDS, parse(many).malformed());
  }

  @Test
  void badRdataIsShownRawAndParsingGoesOn() {
    DnsWire w = DnsWire.header(1, 0x8180, 1, 2, 0, 0).question("x.example", 1, 1);
    w.pointer(12).rrTail(1, 1, 1, DnsWire.ip(1, 2, 3, 4, 5));
    w.pointer(12).rrTail(1, 1, 1, DnsWire.ip(5, 6, 7, 8));
    DnsMessage m = parse(w.build());
    assertEquals(DnsMalformed.BAD_RDATA, m.malformed());
    assertEquals("0102030405", m.answers().get(0).data());
    assertEquals("5.6.7.8", m.answers().get(1).data());
    // A CNAME whose name runs past its RDLENGTH.
    DnsWire c = DnsWire.header(1, 0x8180, 1, 1, 0, 0).question("x.example", 1, 1);
    c.pointer(12).u16(5).u16(1).u32(1).u16(2).labels("abc").u8(0);
    assertEquals(DnsMalformed.BAD_RDATA, parse(c.build()).malformed());
  }

  @Test
  void badArgumentsAreTruncatedNotExceptions() {
    assertEquals(DnsMalformed.TRUNCATED, DnsParser.parse(null, 0, 0).malformed());
    assertEquals(DnsMalformed.TRUNCATED, DnsParser.parse(new byte[20], 15, 10).malformed());
    assertEquals(DnsMalformed.TRUNCATED, DnsParser.parse(new byte[20], -1, 10).malformed());
    assertFalse(DnsParser.parse(new byte[11], 0, 11).headerComplete());
  }
}
