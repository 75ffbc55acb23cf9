package io.vigil.agent.packet.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.IpText;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DnsAnswerCacheTest {
  static final long T0 = 1_700_000_000_000_000_000L;
  static final long S = 1_000_000_000L;

  static DnsMessage response(String qname, long ttl, int... octets) {
    DnsWire w = DnsWire.header(1, 0x8180, 1, octets.length, 0, 0).question(qname, 1, 1);
    for (int o : octets) {
      w.pointer(12).rrTail(1, 1, ttl, DnsWire.ip(203, 0, 113, o));
    }
    byte[] b = w.build();
    return DnsParser.parse(b, 0, b.length);
  }

  @Test
  void followsCnameChainBackToTheQuestion() {
    // Records out of order: the A first, then the CNAMEs in reverse; plus an unrelated A.
    DnsWire w = DnsWire.header(1, 0x8180, 1, 4, 0, 0).question("WWW.shop.example", 1, 1);
    w.name("edge.cdn.net").rrTail(1, 1, 600, DnsWire.ip(192, 0, 2, 10));
    w.name("shop.cdn.net").rrTail(5, 1, 600, DnsWire.data().name("edge.cdn.net").build());
    w.name("www.shop.example").rrTail(5, 1, 600, DnsWire.data().name("Shop.CDN.net").build());
    w.name("stray.example").rrTail(1, 1, 600, DnsWire.ip(192, 0, 2, 99));
    byte[] b = w.build();
    DnsAnswerCache cache = new DnsAnswerCache();
    cache.learn(DnsParser.parse(b, 0, b.length), T0);
    assertEquals("WWW.shop.example", cache.hostnameFor("192.0.2.10", T0 + S));
    assertEquals("WWW.shop.example", cache.hostnameFor(DnsWire.ip(192, 0, 2, 10), 4, T0 + S));
    assertNull(cache.hostnameFor("192.0.2.99", T0 + S));
    assertEquals(1, cache.size());
  }

  @Test
  void theCanonicalLookupFindsWhatTheParsingOneFindsForTheTextFlowRecordsHold() {
    DnsAnswerCache cache = new DnsAnswerCache();
    cache.learn(response("one.example", 300, 7), T0);
    String canonical = IpText.of(DnsWire.ip(203, 0, 113, 7), 0, 4);
    assertEquals("one.example", cache.hostnameForCanonical(canonical, T0 + S));
    assertEquals(
        cache.hostnameFor(canonical, T0 + S), cache.hostnameForCanonical(canonical, T0 + S));
    assertNull(cache.hostnameForCanonical("203.0.113.8", T0 + S));
    // Expiry is the same lookup's: gone at the end of the TTL, and dropped.
    assertNull(cache.hostnameForCanonical(canonical, T0 + 300 * S));
    assertEquals(0, cache.size());
  }

  @Test
  void ttlWithFloorAndCap() {
    DnsAnswerCache cache = new DnsAnswerCache();
    cache.learn(response("short.example", 5, 1), T0);
    cache.learn(response("long.example", 300, 2), T0);
    cache.learn(response("forever.example", 7L * 24 * 3600, 3), T0);
    cache.learn(response("max.example", 0xffffffffL, 4), T0);
    assertEquals("short.example", cache.hostnameFor("203.0.113.1", T0 + 59 * S));
    assertNull(cache.hostnameFor("203.0.113.1", T0 + 60 * S));
    assertEquals("long.example", cache.hostnameFor("203.0.113.2", T0 + 299 * S));
    assertNull(cache.hostnameFor("203.0.113.2", T0 + 300 * S));
    assertEquals("forever.example", cache.hostnameFor("203.0.113.3", T0 + 86_399 * S));
    assertNull(cache.hostnameFor("203.0.113.3", T0 + 86_400 * S));
    assertNull(cache.hostnameFor("203.0.113.4", T0 + 86_400 * S));
    assertEquals(0, cache.size()); // expired entries were dropped when looked up
  }

  @Test
  void leastRecentlyUsedIsDroppedAtTheBound() {
    DnsAnswerCache cache = new DnsAnswerCache(3);
    cache.learn(response("a.example", 60, 1), T0);
    cache.learn(response("b.example", 60, 2), T0);
    cache.learn(response("c.example", 60, 3), T0);
    assertEquals("a.example", cache.hostnameFor("203.0.113.1", T0)); // a is now recent
    cache.learn(response("d.example", 60, 4), T0);
    assertEquals(3, cache.size());
    assertNull(cache.hostnameFor("203.0.113.2", T0));
    assertEquals("a.example", cache.hostnameFor("203.0.113.1", T0));
    assertEquals("d.example", cache.hostnameFor("203.0.113.4", T0));
    assertThrows(IllegalArgumentException.class, () -> new DnsAnswerCache(0));
  }

  @Test
  void ipv6AnyTextSpellingAndIgnoredMessages() {
    byte[] addr = new byte[16];
    addr[0] = 0x20;
    addr[1] = 0x01;
    addr[2] = 0x0d;
    addr[3] = (byte) 0xb8;
    addr[15] = 0x0a;
    DnsWire w = DnsWire.header(1, 0x8180, 1, 1, 0, 0).question("six.example", 28, 1);
    w.pointer(12).rrTail(28, 1, 120, addr);
    byte[] b = w.build();
    DnsAnswerCache cache = new DnsAnswerCache();
    cache.learn(DnsParser.parse(b, 0, b.length), T0);
    assertEquals("six.example", cache.hostnameFor(addr, 16, T0));
    assertEquals("six.example", cache.hostnameFor("2001:0DB8:0:0:0:0:0:000A", T0));
    assertEquals("six.example", cache.hostnameFor("2001:db8::a", T0));
    assertNull(cache.hostnameFor("not an address", T0));
    assertNull(cache.hostnameFor(addr, 3, T0));
    // A query carrying an answer section is not learnt from.
    byte[] q = DnsWire.header(1, 0x0100, 1, 1, 0, 0).question("q.example", 1, 1).build();
    byte[] qa = new DnsWire().bytes(q).pointer(12).rrTail(1, 1, 60, DnsWire.ip(9, 9, 9, 9)).build();
    cache.learn(DnsParser.parse(qa, 0, qa.length), T0);
    assertNull(cache.hostnameFor("9.9.9.9", T0));
    // An A record of the wrong length is shown as hex and never becomes a key.
    DnsWire bad = DnsWire.header(1, 0x8180, 1, 1, 0, 0).question("bad.example", 1, 1);
    byte[] bb = bad.pointer(12).rrTail(1, 1, 60, DnsWire.ip(1, 2, 3, 4, 5)).build();
    int before = cache.size();
    cache.learn(DnsParser.parse(bb, 0, bb.length), T0);
    assertEquals(before, cache.size());
  }

  @Test
  void readsWhileWritingFromAnotherThread() throws Exception {
    DnsAnswerCache cache = new DnsAnswerCache(500);
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                  int o = i % 250;
                  cache.learn(response("host" + o + ".example", 60, o), T0);
                }
                done.set(true);
                return null;
              });
      Future<Integer> reader1 = pool.submit(() -> read(cache, start, done));
      Future<Integer> reader2 = pool.submit(() -> read(cache, start, done));
      start.countDown();
      writer.get(30, TimeUnit.SECONDS);
      reader1.get(30, TimeUnit.SECONDS);
      reader2.get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    for (int o = 0; o < 250; o++) {
      assertEquals("host" + o + ".example", cache.hostnameFor("203.0.113." + o, T0));
    }
    assertTrue(cache.size() <= 500);
  }

  private static int read(DnsAnswerCache cache, CountDownLatch start, AtomicBoolean done)
      throws InterruptedException {
    start.await();
    int hits = 0;
    for (int i = 0; !done.get() || i < 1000; i++) {
      int o = i % 250;
      String h = cache.hostnameFor(DnsWire.ip(203, 0, 113, o), 4, T0 + 1);
      if (h != null) {
        assertEquals("host" + o + ".example", h); // never another address's name
        hits++;
      }
    }
    return hits;
  }
}
