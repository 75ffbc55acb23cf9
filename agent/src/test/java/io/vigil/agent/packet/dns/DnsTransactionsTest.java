package io.vigil.agent.packet.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DnsTransactionsTest {
  static final long T0 = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;

  record Got(DnsEvent e, long ts) {}

  final List<Got> got = new ArrayList<>();
  final DnsSink sink = (e, ts) -> got.add(new Got(e, ts));

  static byte[] query(int id, String name, int type) {
    return DnsWire.header(id, 0x0100, 1, 0, 0, 0).question(name, type, 1).build();
  }

  static byte[] aResponse(int id, String name, int... lastOctets) {
    DnsWire w = DnsWire.header(id, 0x8180, 1, lastOctets.length, 0, 0).question(name, 1, 1);
    for (int o : lastOctets) {
      w.pointer(12).rrTail(1, 1, 300, DnsWire.ip(198, 51, 100, o));
    }
    return w.build();
  }

  static DecodedPacket udp(byte[] src, int sport, byte[] dst, int dport, byte[] dns, long ts) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampNs = ts;
    p.ipVersion = src.length == 4 ? 4 : 6;
    System.arraycopy(src, 0, p.src, 0, src.length);
    System.arraycopy(dst, 0, p.dst, 0, dst.length);
    p.protocol = 17;
    p.srcPort = sport;
    p.dstPort = dport;
    byte[] framed = new byte[dns.length + 7]; // payload at a non-zero offset, like a real frame
    System.arraycopy(dns, 0, framed, 7, dns.length);
    p.payload = framed;
    p.payloadOffset = 7;
    p.payloadLength = dns.length;
    return p;
  }

  static final byte[] CLIENT = DnsWire.ip(10, 0, 0, 5);
  static final byte[] SERVER = DnsWire.ip(10, 0, 0, 53);

  @Test
  void matchesQueryAndResponse() {
    DnsAnswerCache cache = new DnsAnswerCache();
    DnsTransactions tx = new DnsTransactions(DnsTransactions.DEFAULT_TIMEOUT_NS, 100, cache);
    tx.packet(udp(CLIENT, 40000, SERVER, 53, query(0x42, "Example.COM", 1), T0), sink);
    assertEquals(0, got.size());
    assertEquals(1, tx.outstanding());
    tx.packet(
        udp(SERVER, 53, CLIENT, 40000, aResponse(0x42, "example.com", 7, 8), T0 + 20 * MS), sink);
    assertEquals(1, got.size());
    DnsEvent e = got.get(0).e();
    assertEquals(T0, got.get(0).ts());
    assertEquals("Example.COM", e.getQueryName());
    assertEquals("A", e.getQueryType());
    assertEquals(1, e.getQueryTypeCode());
    assertEquals("NOERROR", e.getResponseCode());
    assertEquals(0, e.getResponseCodeValue());
    assertEquals(List.of("198.51.100.7", "198.51.100.8"), e.getAnswersList());
    assertEquals(2, e.getAnswerRecordsCount());
    assertEquals("example.com", e.getAnswerRecords(0).getName());
    assertEquals("A", e.getAnswerRecords(0).getType());
    assertEquals(300, e.getAnswerRecords(0).getTtl());
    assertEquals("198.51.100.7", e.getAnswerRecords(0).getData());
    assertEquals("10.0.0.5", e.getClientIp());
    assertEquals("10.0.0.53", e.getServerIp());
    assertEquals(40000, e.getClientPort());
    assertEquals(53, e.getServerPort());
    assertEquals(Transport.TRANSPORT_UDP, e.getTransport());
    assertEquals(0x42, e.getId());
    assertEquals(T0 + 20 * MS, e.getResponseTimeNs());
    assertTrue(e.getRecursionAvailable());
    assertFalse(e.getAuthoritative());
    assertFalse(e.getTruncated());
    assertFalse(e.hasProcess());
    DnsStats s = tx.stats();
    assertEquals(1, s.queries());
    assertEquals(1, s.responses());
    assertEquals(1, s.matched());
    assertEquals(0, s.outstanding());
    assertEquals("Example.COM", cache.hostnameFor("198.51.100.8", T0 + 21 * MS));
  }

  @Test
  void unansweredQueryIsReportedAfterTheTimeout() {
    DnsTransactions tx = new DnsTransactions();
    tx.packet(udp(CLIENT, 40001, SERVER, 53, query(9, "slow.example", 28), T0), sink);
    tx.advance(T0 + 4_999 * MS, sink);
    assertEquals(0, got.size());
    tx.advance(T0 + 5_000 * MS, sink);
    assertEquals(1, got.size());
    DnsEvent e = got.get(0).e();
    assertEquals("slow.example", e.getQueryName());
    assertEquals("AAAA", e.getQueryType());
    assertEquals("", e.getResponseCode());
    assertEquals(0, e.getResponseTimeNs());
    assertEquals(0, e.getAnswersCount());
    assertEquals(T0, got.get(0).ts());
    assertEquals(1, tx.stats().unanswered());
    // A late response is now unsolicited.
    tx.packet(
        udp(SERVER, 53, CLIENT, 40001, aResponse(9, "slow.example", 1), T0 + 6_000 * MS), sink);
    assertEquals(1, tx.stats().unsolicited());
  }

  @Test
  void unsolicitedResponseTakesQueryFieldsFromItsQuestion() {
    DnsTransactions tx = new DnsTransactions();
    byte[] nx = DnsWire.header(77, 0x8583, 1, 0, 0, 0).question("nope.example", 16, 1).build();
    tx.packet(udp(SERVER, 53, CLIENT, 5555, nx, T0), sink);
    assertEquals(1, got.size());
    DnsEvent e = got.get(0).e();
    assertEquals("nope.example", e.getQueryName());
    assertEquals("TXT", e.getQueryType());
    assertEquals("NXDOMAIN", e.getResponseCode());
    assertEquals(3, e.getResponseCodeValue());
    assertTrue(e.getAuthoritative());
    assertEquals("10.0.0.5", e.getClientIp());
    assertEquals(5555, e.getClientPort());
    assertEquals(T0, e.getResponseTimeNs());
    assertEquals(1, tx.stats().unsolicited());
    assertEquals(0, tx.stats().matched());
  }

  @Test
  void sameIdWithAnotherQuestionDoesNotMatch() {
    DnsTransactions tx = new DnsTransactions();
    tx.packet(udp(CLIENT, 40002, SERVER, 53, query(5, "a.example", 1), T0), sink);
    tx.packet(udp(SERVER, 53, CLIENT, 40002, aResponse(5, "b.example", 1), T0 + MS), sink);
    assertEquals(1, got.size());
    assertEquals("b.example", got.get(0).e().getQueryName());
    assertEquals(1, tx.stats().unsolicited());
    assertEquals(1, tx.outstanding());
    // Nor does the same question from another client port.
    tx.packet(udp(SERVER, 53, CLIENT, 40003, aResponse(5, "a.example", 1), T0 + 2 * MS), sink);
    assertEquals(2, tx.stats().unsolicited());
    tx.packet(udp(SERVER, 53, CLIENT, 40002, aResponse(5, "A.EXAMPLE", 1), T0 + 3 * MS), sink);
    assertEquals(1, tx.stats().matched());
    assertEquals("a.example", got.get(2).e().getQueryName());
  }

  @Test
  void tcpMessagesAreFramedAndSplitsCounted() {
    DnsTransactions tx = new DnsTransactions();
    byte[] q = query(11, "tcp.example", 1);
    byte[] r = aResponse(11, "tcp.example", 9);
    DecodedPacket qp = udp(CLIENT, 41000, SERVER, 53, withPrefix(q), T0);
    qp.protocol = 6;
    tx.packet(qp, sink);
    DecodedPacket rp = udp(SERVER, 53, CLIENT, 41000, withPrefix(r), T0 + MS);
    rp.protocol = 6;
    tx.packet(rp, sink);
    assertEquals(1, got.size());
    assertEquals(Transport.TRANSPORT_TCP, got.get(0).e().getTransport());
    assertEquals(List.of("198.51.100.9"), got.get(0).e().getAnswersList());
    // The first half of a message: nothing parsed, counted as split.
    byte[] half = new byte[10];
    System.arraycopy(withPrefix(r), 0, half, 0, 10);
    DecodedPacket hp = udp(SERVER, 53, CLIENT, 41000, half, T0 + 2 * MS);
    hp.protocol = 6;
    tx.packet(hp, sink);
    assertEquals(1, got.size());
    assertEquals(1, tx.stats().tcpSplit());
    assertEquals(1, tx.stats().responses());
    // Same ids over UDP and TCP are different transactions.
    tx.packet(udp(CLIENT, 41000, SERVER, 53, q, T0 + 3 * MS), sink);
    tx.packet(rp, sink);
    assertEquals(1, tx.outstanding());
  }

  static byte[] withPrefix(byte[] m) {
    return DnsWire.data().u16(m.length).bytes(m).build();
  }

  @Test
  void ipv6Transaction() {
    byte[] c6 = new byte[16];
    byte[] s6 = new byte[16];
    c6[0] = (byte) 0xfd;
    c6[15] = 5;
    s6[0] = (byte) 0xfd;
    s6[15] = 0x53;
    DnsWire w = DnsWire.header(3, 0x8180, 1, 1, 0, 0).question("v6.example", 28, 1);
    byte[] addr = new byte[16];
    addr[0] = 0x20;
    addr[1] = 0x01;
    addr[2] = 0x0d;
    addr[3] = (byte) 0xb8;
    addr[14] = (byte) 0xab;
    w.pointer(12).rrTail(28, 1, 60, addr);
    DnsAnswerCache cache = new DnsAnswerCache();
    DnsTransactions tx = new DnsTransactions(DnsTransactions.DEFAULT_TIMEOUT_NS, 10, cache);
    tx.packet(udp(c6, 50000, s6, 53, query(3, "v6.example", 28), T0), sink);
    tx.packet(udp(s6, 53, c6, 50000, w.build(), T0 + MS), sink);
    assertEquals(1, got.size());
    DnsEvent e = got.get(0).e();
    assertEquals("fd00::5", e.getClientIp());
    assertEquals("fd00::53", e.getServerIp());
    assertEquals(List.of("2001:db8::ab00"), e.getAnswersList());
    assertEquals("v6.example", cache.hostnameFor(addr, 16, T0 + 2 * MS));
  }

  @Test
  void duplicatesEvictionFlushAndMalformed() {
    DnsTransactions tx = new DnsTransactions(DnsTransactions.DEFAULT_TIMEOUT_NS, 2, null);
    tx.packet(udp(CLIENT, 1, SERVER, 53, query(1, "one.example", 1), T0), sink);
    tx.packet(udp(CLIENT, 1, SERVER, 53, query(1, "one.example", 1), T0 + MS), sink);
    assertEquals(1, tx.stats().duplicateQueries());
    tx.packet(udp(CLIENT, 2, SERVER, 53, query(2, "two.example", 1), T0 + 2 * MS), sink);
    tx.packet(udp(CLIENT, 3, SERVER, 53, query(3, "three.example", 1), T0 + 3 * MS), sink);
    assertEquals(1, got.size());
    assertEquals("one.example", got.get(0).e().getQueryName());
    assertEquals(1, tx.stats().evicted());
    assertEquals(2, tx.outstanding());
    tx.flush(sink);
    assertEquals(3, got.size());
    assertEquals(0, tx.outstanding());
    assertEquals(3, tx.stats().unanswered());

    // Garbage on port 53: counted, no event.
    tx.packet(udp(CLIENT, 4, SERVER, 53, new byte[] {1, 2, 3}, T0), sink);
    byte[] loop = DnsWire.header(1, 0, 1, 0, 0, 0).pointer(12).u16(1).u16(1).build();
    tx.packet(udp(CLIENT, 4, SERVER, 53, loop, T0), sink);
    assertEquals(3, got.size());
    assertEquals(
        Map.of(DnsMalformed.TRUNCATED, 1L, DnsMalformed.POINTER_LOOP, 1L), tx.stats().malformed());
    assertEquals(4, tx.stats().queries());
  }

  @Test
  void mdnsAnnouncementWithoutQuestion() {
    DnsAnswerCache cache = new DnsAnswerCache();
    DnsTransactions tx = new DnsTransactions(DnsTransactions.DEFAULT_TIMEOUT_NS, 10, cache);
    byte[] ann =
        DnsWire.header(0, 0x8400, 0, 1, 0, 0)
            .name("printer.local")
            .rrTail(1, 0x8001, 120, DnsWire.ip(10, 0, 0, 77))
            .build();
    tx.packet(udp(DnsWire.ip(10, 0, 0, 77), 5353, DnsWire.ip(224, 0, 0, 251), 5353, ann, T0), sink);
    assertEquals(1, got.size());
    assertEquals("printer.local", got.get(0).e().getQueryName());
    assertEquals("A", got.get(0).e().getQueryType());
    assertEquals(List.of("10.0.0.77"), got.get(0).e().getAnswersList());
    assertEquals("printer.local", cache.hostnameFor("10.0.0.77", T0 + 1));
  }

  @Test
  void looksLikeDnsByPort() {
    DecodedPacket p = udp(CLIENT, 40000, SERVER, 53, query(1, "a", 1), T0);
    assertTrue(DnsTransactions.looksLikeDns(p));
    p.dstPort = 5353;
    assertTrue(DnsTransactions.looksLikeDns(p));
    p.dstPort = 40001;
    p.srcPort = 53;
    assertTrue(DnsTransactions.looksLikeDns(p));
    p.srcPort = 5355;
    assertFalse(DnsTransactions.looksLikeDns(p));
    p.srcPort = 53;
    p.protocol = 1;
    assertFalse(DnsTransactions.looksLikeDns(p));
    p.protocol = 6;
    p.payloadLength = 0;
    assertFalse(DnsTransactions.looksLikeDns(p));
    assertThrows(IllegalArgumentException.class, () -> new DnsTransactions(0, 1, null));
  }
}
