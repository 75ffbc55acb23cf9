package io.vigil.agent.packet.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HttpParserTest {
  private final List<HttpTransaction> txs = new ArrayList<>();
  private final List<HttpTunnel> tunnels = new ArrayList<>();
  private final HttpCounters counters = new HttpCounters();
  private final HttpListener listener =
      new HttpListener() {
        @Override
        public void transaction(HttpTransaction t) {
          txs.add(t);
        }

        @Override
        public void tunnel(HttpTunnel t) {
          tunnels.add(t);
        }
      };
  private HttpParser parser = new HttpParser(listener, HttpOptions.defaults(), counters);

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private void client(String s, long ts) {
    byte[] x = b(s);
    parser.client(x, 0, x.length, ts);
  }

  private void server(String s, long ts) {
    byte[] x = b(s);
    parser.server(x, 0, x.length, ts);
  }

  @Test
  void pipelinedHeadsAreChargedToTheSharedBudgetAndGivenBackAtTheEnd() {
    io.vigil.agent.packet.stream.ReassemblyBudget memory =
        new io.vigil.agent.packet.stream.ReassemblyBudget(256 * 1024);
    parser = new HttpParser(listener, HttpOptions.defaults(), counters, memory);
    // A client-only stream: 16 requests with 15 KiB heads, never answered.
    String big = "X-Pad: " + "p".repeat(14 * 1024) + "\r\n";
    long peak = 0;
    for (int i = 0; i < 16; i++) {
      client(
          "GET /" + i + " HTTP/1.1\r\nUser-Agent: " + "u".repeat(1000) + "\r\n" + big + "\r\n", i);
      peak = Math.max(peak, memory.used());
    }
    assertTrue(memory.used() > 16 * 2000, "heads held: " + memory.used());
    assertTrue(peak <= memory.capacity());
    parser.end(100);
    assertEquals(0, memory.used());
    assertEquals(16, txs.size());
  }

  @Test
  void aRefusingBudgetGivesUpTheClientDirection() {
    io.vigil.agent.packet.stream.ReassemblyBudget memory =
        new io.vigil.agent.packet.stream.ReassemblyBudget(8 * 1024);
    parser = new HttpParser(listener, HttpOptions.defaults(), counters, memory);
    for (int i = 0; i < 16 && parser.wantsClient(); i++) {
      client("GET /" + i + " HTTP/1.1\r\nUser-Agent: " + "u".repeat(1000) + "\r\n\r\n", i);
    }
    assertFalse(parser.wantsClient());
    assertTrue(memory.refusals() > 0);
    assertTrue(memory.used() <= memory.capacity());
    server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 50); // still paired in order
    assertEquals("/0", txs.get(txs.size() - 1).request().uri());
    parser.end(100);
    assertEquals(0, memory.used());
  }

  @Test
  void aBigHeaderBufferAndTheStashAreChargedAndGivenBack() {
    io.vigil.agent.packet.stream.ReassemblyBudget memory =
        new io.vigil.agent.packet.stream.ReassemblyBudget(1 << 20);
    parser = new HttpParser(listener, HttpOptions.defaults(), counters, memory);
    client("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(10_000), 1); // a head still going
    assertTrue(memory.used() >= 10_000, "header buffer: " + memory.used());
    parser.end(2);
    assertEquals(0, memory.used());

    parser = new HttpParser(listener, HttpOptions.defaults(), counters, memory);
    client("CONNECT h:443 HTTP/1.1\r\n\r\n" + "t".repeat(5000), 1); // stashed
    assertTrue(memory.used() >= 5000, "stash: " + memory.used());
    server("HTTP/1.1 200 OK\r\n\r\n", 2);
    assertEquals(1, tunnels.size());
    assertEquals(5000, tunnels.get(0).clientBytes().length);
    parser.end(3);
    assertEquals(0, memory.used());
  }

  @Test
  void foldedLinesPastTheFieldBoundAreNotCopiedAgain() {
    // 100,000 continuation lines of one user agent: appending each to the value so far copied (and
    // allocated) up to the field bound per line, about 200 MB here; within the bound, a full field
    // takes no more, so parsing allocates about what the header holds.
    StringBuilder h = new StringBuilder("GET / HTTP/1.1\r\nUser-Agent: a\r\n");
    for (int i = 0; i < 100_000; i++) {
      h.append(" x\r\n");
    }
    h.append("Host: h\r\n\r\n");
    byte[] head = b(h.toString());
    HttpOptions o = new HttpOptions(1 << 20, 8192, 1024, 16, 0);
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = mx.getCurrentThreadAllocatedBytes();
    HttpHead parsed = HttpHead.request(head, head.length, o);
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 4L * head.length, "allocated " + allocated + " bytes");
    assertEquals(1024, parsed.userAgent.length());
    assertTrue(parsed.userAgent.startsWith("a x x"));
    assertTrue(parsed.truncated);
    assertEquals("h", parsed.host);
  }

  @Test
  void aRequestAndItsResponseMakeOneTransaction() {
    client(
        "GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\n"
            + "Referer: http://ref.example/\r\nAccept: */*\r\n\r\n",
        10);
    assertTrue(txs.isEmpty(), "emitted when the response ends");
    server(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\n",
        20);
    server("hello", 30);
    assertEquals(1, txs.size());
    HttpRequest q = txs.get(0).request();
    assertEquals("GET", q.method());
    assertEquals("/index.html?q=1", q.uri());
    assertEquals("HTTP/1.1", q.version());
    assertEquals("www.example.com", q.host());
    assertEquals("curl/8.5.0", q.userAgent());
    assertEquals("http://ref.example/", q.referer());
    assertEquals(-1, q.contentLength());
    assertEquals(10, q.startNs());
    assertEquals(10, q.endNs());
    HttpResponse s = txs.get(0).response();
    assertEquals(200, s.status());
    assertEquals("text/html; charset=utf-8", s.contentType());
    assertEquals(5, s.contentLength());
    assertEquals(5, s.bodyBytes());
    assertTrue(s.complete());
    assertEquals(20, s.startNs());
    assertEquals(30, s.endNs());
  }

  @Test
  void bodiesAreSkippedByLengthAndByChunksWithExtensionsAndTrailers() {
    client(
        "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
            + "Content-Length: 7\r\n\r\n{\"a\":1}"
            + "PUT /chunks HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n6 ; x=\"y;z\"\r\n world\r\n0;last\r\nX-Checksum: 1\r\n\r\n"
            + "GET /after HTTP/1.1\r\n\r\n",
        1);
    server(
        "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop",
        2);
    assertEquals(3, txs.size());
    HttpRequest post = txs.get(0).request();
    assertEquals("application/json", post.contentType());
    assertEquals(7, post.contentLength());
    assertEquals(7, post.bodyBytes());
    assertEquals(13, txs.get(0).response().bodyBytes());
    assertTrue(txs.get(0).response().chunked());
    HttpRequest put = txs.get(1).request();
    assertTrue(put.chunked());
    assertEquals(11, put.bodyBytes());
    assertEquals("/after", txs.get(2).request().uri());
    assertEquals(404, txs.get(2).response().status());
  }

  @Test
  void headAnd204And304ResponsesHaveNoBodyWhateverTheirHeadersSay() {
    client("HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n", 1);
    server(
        "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
            + "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
        2);
    assertEquals(3, txs.size());
    assertEquals(List.of(200, 204, 304), txs.stream().map(t -> t.response().status()).toList());
    assertEquals(0, txs.get(0).response().bodyBytes());
  }

  @Test
  void interimResponsesAreSkippedAndTheFinalOneIsPaired() {
    client("POST /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n", 1);
    server("HTTP/1.1 100 Continue\r\n\r\n", 2);
    client("abc", 3);
    server("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\n", 4);
    server("Content-Length: 0\r\n\r\n", 5);
    assertEquals(1, txs.size());
    assertEquals(200, txs.get(0).response().status());
    assertEquals(2, counters.interimResponses);
    assertEquals(1, counters.responses);
  }

  @Test
  void aResponseWithoutLengthEndsAtTheServersClose() {
    client("GET /stream HTTP/1.0\r\n\r\n", 1);
    server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ", 2);
    server("part two", 3);
    assertTrue(txs.isEmpty());
    parser.closed(false, 4);
    assertEquals(1, txs.size());
    assertEquals(18, txs.get(0).response().bodyBytes());
    assertTrue(txs.get(0).response().complete());
    assertEquals(4, txs.get(0).response().endNs());
  }

  private static final String PIPELINED_REQUESTS =
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
          + "POST /2 HTTP/1.1\r\nHost: b\r\nContent-Length: 11\r\n\r\nhello world"
          + "\r\n" // a stray empty line between messages, as some clients send
          + "PUT /3 HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nabcd\r\n0\r\nT: 1\r\n\r\n"
          + "HEAD /4 HTTP/1.1\r\nHost: d\r\n\r\n";
  private static final String PIPELINED_RESPONSES =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
          + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"
          + "HTTP/1.1 100 Continue\r\n\r\n"
          + "HTTP/1.1 202 Accepted\r\nContent-Length: 4\r\n\r\nwxyz"
          + "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";

  private List<String> summary() {
    List<String> out = new ArrayList<>();
    for (HttpTransaction t : txs) {
      HttpRequest q = t.request();
      HttpResponse s = t.response();
      out.add(
          q.method()
              + " "
              + q.uri()
              + " "
              + q.host()
              + " "
              + q.bodyBytes()
              + " -> "
              + (s == null ? "none" : s.status() + " " + s.bodyBytes()));
    }
    return out;
  }

  @Test
  void pipelinedRequestsSplitAtEveryByteBoundaryPairInOrder() {
    client(PIPELINED_REQUESTS, 1);
    server(PIPELINED_RESPONSES, 2);
    List<String> expected = summary();
    assertEquals(
        List.of(
            "GET /1 a 0 -> 200 2",
            "POST /2 b 11 -> 201 2",
            "PUT /3 c 4 -> 202 4",
            "HEAD /4 d 0 -> 200 0"),
        expected);
    byte[] c = b(PIPELINED_REQUESTS);
    byte[] s = b(PIPELINED_RESPONSES);
    for (int i = 0; i <= c.length; i++) {
      runSplit(c, new int[] {i}, s, new int[0]);
      assertEquals(expected, summary(), "client split at " + i);
    }
    for (int j = 0; j <= s.length; j++) {
      runSplit(c, new int[0], s, new int[] {j});
      assertEquals(expected, summary(), "server split at " + j);
    }
    Random rnd = new Random(5);
    for (int round = 0; round < 300; round++) {
      int[] cs = rnd.ints(rnd.nextInt(20), 0, c.length + 1).sorted().toArray();
      int[] ss = rnd.ints(rnd.nextInt(20), 0, s.length + 1).sorted().toArray();
      runSplit(c, cs, s, ss);
      assertEquals(
          expected,
          summary(),
          "splits " + java.util.Arrays.toString(cs) + " / " + java.util.Arrays.toString(ss));
    }
    // And one byte at a time, the directions interleaved.
    txs.clear();
    parser = new HttpParser(listener, HttpOptions.defaults(), counters);
    for (int i = 0; i < Math.max(c.length, s.length); i++) {
      if (i < c.length) {
        parser.client(c, i, 1, 1);
      }
      if (i < s.length) {
        parser.server(s, i, 1, 2);
      }
    }
    assertEquals(expected, summary());
  }

  /** A fresh parser fed all requests then all responses, each cut at the given offsets. */
  private void runSplit(byte[] c, int[] cuts, byte[] s, int[] serverCuts) {
    txs.clear();
    parser = new HttpParser(listener, HttpOptions.defaults(), counters);
    int at = 0;
    for (int cut : cuts) {
      parser.client(c, at, cut - at, 1);
      at = cut;
    }
    parser.client(c, at, c.length - at, 1);
    at = 0;
    for (int cut : serverCuts) {
      parser.server(s, at, cut - at, 2);
      at = cut;
    }
    parser.server(s, at, s.length - at, 2);
  }

  @Test
  void unansweredRequestsAreEmittedInOrderAtTheEnd() {
    client("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n", 1);
    server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 2);
    assertEquals(1, txs.size());
    parser.end(9);
    assertEquals(
        List.of("GET /a  0 -> 200 0", "GET /b  0 -> none", "GET /c  0 -> none"), summary());
    assertEquals(2, counters.unanswered);
  }

  @Test
  void aResponseWithoutItsRequestIsEmittedAlone() {
    server("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", 5);
    assertEquals(1, txs.size());
    assertNull(txs.get(0).request());
    assertEquals(302, txs.get(0).response().status());
    assertEquals(1, counters.responsesWithoutRequest);
  }

  @Test
  void aHeaderSectionOverTheBoundGivesUpThatDirectionOnly() {
    client("GET /big HTTP/1.1\r\nCookie: " + "c".repeat(17 * 1024) + "\r\n\r\n", 1);
    assertEquals(1, counters.headerTooLong);
    assertFalse(parser.wantsClient());
    assertTrue(parser.wantsServer());
    server("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 2);
    assertEquals(1, txs.size());
    assertNull(txs.get(0).request());
  }

  @Test
  void longFieldsAreCutAndMarked() {
    String uri = "/" + "u".repeat(9000);
    String ua = "A".repeat(2000);
    client("GET " + uri + " HTTP/1.1\r\nUser-Agent: " + ua + "\r\nHost: h\r\n\r\n", 1);
    parser.end(2);
    HttpRequest q = txs.get(0).request();
    assertEquals(8 * 1024, q.uri().length());
    assertEquals(1024, q.userAgent().length());
    assertEquals("h", q.host());
    assertTrue(q.truncated());
    assertEquals(1, counters.truncatedMessages);
  }

  @Test
  void tooManyWaitingRequestsPushTheOldestOutAndItsResponseIsSkipped() {
    parser = new HttpParser(listener, new HttpOptions(16 * 1024, 8192, 1024, 2, 65536), counters);
    client("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", 1);
    assertEquals(List.of("GET /1  0 -> none"), summary());
    String ok = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
    server(ok + "1" + ok + "2" + ok + "3", 2);
    assertEquals(
        List.of("GET /1  0 -> none", "GET /2  0 -> 200 1", "GET /3  0 -> 200 1"), summary());
    assertEquals(1, counters.pendingOverflow);
  }

  @Test
  void aGapInsideABodyShortensIt() {
    client("POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 1);
    parser.gap(true, 4, 2);
    client("xyzGET /next HTTP/1.1\r\n\r\n", 3);
    parser.end(4);
    assertEquals(List.of("POST /p  10 -> none", "GET /next  0 -> none"), summary());
    assertEquals(1, counters.gapsInBody);
  }

  @Test
  void aGapInTheHeadersGivesUpTheDirectionAndCountsIt() {
    client("GET /x HTTP/1.1\r\nHost: exa", 1);
    parser.gap(true, 10, 2);
    client("\r\n\r\nGET /y HTTP/1.1\r\n\r\n", 3);
    assertEquals(1, counters.gapsInHeaders);
    assertFalse(parser.wantsClient());
    parser.end(4);
    assertTrue(txs.isEmpty());
  }

  @Test
  void aGapPastTheBodyEmitsTheResponseAsFarAsItWent() {
    client("GET /1 HTTP/1.0\r\n\r\n", 1);
    server("HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n12345", 2);
    parser.gap(false, 50, 3);
    assertEquals(1, txs.size());
    assertFalse(txs.get(0).response().complete());
    assertEquals(1, counters.gapsInHeaders);
  }

  @Test
  void aConnectAnsweredTwoHundredOpensATunnelWithTheBytesAlreadySent() {
    byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 2};
    client("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n", 1);
    parser.client(hello, 0, hello.length, 2); // optimistic: before the answer
    server("HTTP/1.1 200 Connection established\r\n\r\n\u0016\u0003\u0003", 3);
    assertEquals(1, txs.size());
    assertEquals("CONNECT", txs.get(0).request().method());
    assertEquals("example.org:443", txs.get(0).request().uri());
    assertEquals(1, tunnels.size());
    HttpTunnel t = tunnels.get(0);
    assertEquals("example.org", t.host());
    assertEquals(443, t.port());
    assertArrayEquals(hello, t.clientBytes());
    assertArrayEquals(new byte[] {0x16, 0x03, 0x03}, t.serverBytes());
    assertFalse(parser.wantsClient());
    client("GET /not-http-any-more HTTP/1.1\r\n\r\n", 4);
    parser.end(5);
    assertEquals(1, txs.size());
    assertEquals(1, counters.tunnels);
  }

  @Test
  void aRefusedConnectLeavesTheHeldBytesToHttp() {
    client(
        "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n"
            + "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n\r\n",
        1);
    server("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", 2);
    assertEquals(1, txs.size());
    assertTrue(tunnels.isEmpty());
    server("HTTP/1.1 200 OK\r\n\r\n", 3);
    assertEquals(2, txs.size());
    assertEquals("2001:db8::1", tunnels.get(0).host());
    assertEquals(8443, tunnels.get(0).port());
  }

  @Test
  void aClientWaitingForAnAnswerThatCannotBeReadGoesOnAsHttp() {
    client("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nGET /next HTTP/1.1\r\n\r\n", 1);
    server("\u0000\u0001 not a status line\r\n\r\n", 2); // the server's direction is given up
    parser.end(3);
    assertEquals(List.of("GET /ws  0 -> none", "GET /next  0 -> none"), summary());
    assertEquals(1, counters.badStartLines);
  }

  @Test
  void aSwitchingProtocolsResponseEndsHttpOnTheConnection() {
    client(
        "GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0085abcd",
        1);
    server("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0002hi", 2);
    assertEquals(1, txs.size());
    assertEquals(101, txs.get(0).response().status());
    assertEquals("Upgrade", txs.get(0).request().connection());
    assertEquals(1, counters.upgrades);
    assertEquals(0, counters.badStartLines);
    assertFalse(parser.wantsServer());
  }

  @Test
  void headersAreReadLeniently() {
    client(
        "GET /lf HTTP/1.1\nhost:  first.example  \nHOST: second.example\n"
            + "User-Agent: Mozilla/5.0\n (folded part)\nContent-Length: 3\nContent-Length: 4\n\nabc",
        1);
    parser.end(2);
    HttpRequest q = txs.get(0).request();
    assertEquals("first.example", q.host());
    assertEquals("Mozilla/5.0 (folded part)", q.userAgent());
    assertEquals(3, q.contentLength());
    assertEquals(1, counters.badLengths);
  }

  @Test
  void stringsAreDecodedAsUtf8WithReplacement() {
    byte[] req =
        concat(
            b("GET /caf"),
            new byte[] {(byte) 0xC3, (byte) 0xA9},
            b(" HTTP/1.1\r\nUser-Agent: bad"),
            new byte[] {(byte) 0xFF, (byte) 0xC3},
            b("\r\n\r\n"));
    parser.client(req, 0, req.length, 1);
    parser.end(2);
    assertEquals("/café", txs.get(0).request().uri());
    assertEquals("bad\uFFFD\uFFFD", txs.get(0).request().userAgent());
  }

  @Test
  void aRequestLineWithoutAVersionIsStillARequest() {
    client("GET /gen.php?x=1\r\nHost: 5.8.88.25\r\n\r\n", 1);
    parser.end(2);
    assertEquals("/gen.php?x=1", txs.get(0).request().uri());
    assertEquals("", txs.get(0).request().version());
  }

  @Test
  void garbageNeverThrowsAndEverythingStaysBounded() {
    Random rnd = new Random(3);
    String[] pieces = {
      "GET / HTTP/1.1\r\n",
      "HTTP/1.1 200 OK\r\n",
      "Content-Length: 5\r\n",
      "Content-Length: x\r\n",
      "Transfer-Encoding: chunked\r\n",
      "\r\n",
      "\n",
      "ffffffffffffffffff\r\n",
      "0\r\n",
      ":",
      "CONNECT a:1 HTTP/1.1\r\n",
      "Upgrade: x\r\n",
      "HTTP/1.1 101 S\r\n",
      "HTTP/1.1 100 C\r\n",
      " folded\r\n",
      "HEAD /h HTTP/1.0\r\n"
    };
    for (int round = 0; round < 2000; round++) {
      parser = new HttpParser(listener, new HttpOptions(512, 64, 32, 4, 256), counters);
      txs.clear();
      for (int i = 0; i < 60; i++) {
        boolean toServer = rnd.nextBoolean();
        byte[] x;
        if (rnd.nextInt(3) == 0) {
          x = new byte[rnd.nextInt(300)];
          rnd.nextBytes(x);
        } else {
          x = b(pieces[rnd.nextInt(pieces.length)]);
        }
        switch (rnd.nextInt(12)) {
          case 0 -> parser.gap(toServer, 1 + rnd.nextInt(100), i);
          case 1 -> parser.closed(toServer, i);
          default -> {
            if (toServer) {
              parser.client(x, 0, x.length, i);
            } else {
              parser.server(x, 0, x.length, i);
            }
          }
        }
      }
      parser.end(99);
      for (HttpTransaction t : txs) {
        assertTrue(t.request() != null || t.response() != null);
        if (t.request() != null) {
          assertTrue(t.request().uri().length() <= 64);
          assertTrue(t.request().userAgent().length() <= 32);
        }
      }
    }
  }

  @Test
  void datagramsCarryOneMessageEach() {
    byte[] search =
        b(
            "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                + "MX: 1\r\nST: ssdp:all\r\nUSER-AGENT: Google Chrome/86.0 Windows\r\n\r\n");
    HttpTransaction t = HttpDatagrams.parse(search, 0, search.length, 7, HttpOptions.defaults());
    assertNotNull(t);
    assertEquals("M-SEARCH", t.request().method());
    assertEquals("*", t.request().uri());
    assertEquals("239.255.255.250:1900", t.request().host());
    assertEquals("Google Chrome/86.0 Windows", t.request().userAgent());
    byte[] reply = b("HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n");
    assertEquals(
        200,
        HttpDatagrams.parse(reply, 0, reply.length, 7, HttpOptions.defaults()).response().status());
    byte[] junk = {1, 2, 3};
    assertNull(HttpDatagrams.parse(junk, 0, 3, 7, HttpOptions.defaults()));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
