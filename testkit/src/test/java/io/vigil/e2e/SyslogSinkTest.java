package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.ExecRule;
import io.vigil.testkit.Poll;
import io.vigil.testkit.Ports;
import io.vigil.testkit.Rsyslog;
import io.vigil.testkit.VigilProcess;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11's syslog sink end to end: a collector process with a Sigma rule and three syslog sinks
 * (UDP, TCP, and TLS trusting the test CA through {@code ca_file}) to a private rsyslogd on
 * loopback, and a synthetic agent whose process starts raise real alerts.
 *
 * <p>Each alert arrives on each transport as RFC 5424 that rsyslog's own parser reads back to the
 * fields meant (PRI from the sink's facility and the alert's level, VERSION 1, the stored time, the
 * collector's host name and pid, APP-NAME, MSGID {@code alert}, the {@code vigil@32473} structured
 * data), with a CEF record in MSG that parses back to the alert's rule id, title, host and
 * severity.
 *
 * <p>Then rsyslog is stopped for a full minute while the agent raises more alerts: the TCP and TLS
 * sinks count failures and deliver nothing meanwhile, and after rsyslog returns every alert, old
 * and new, arrives over TCP and TLS at least once. UDP has no acknowledgement: a datagram sent
 * while the receiver is down is lost unless the kernel's ICMP "port unreachable" fails a later send
 * in time for the sink to retry it, so what UDP delivers after the outage is not asserted.
 *
 * <p>A private rsyslogd and loopback sockets only: no kernel-global state, so no kernel tag.
 */
class SyslogSinkTest {
  private static final String RULE_ID = "5b0e7a52-0000-4000-8000-00000000e2e5";
  private static final String TITLE = "Test syslog synthetic process start";
  private static final String APP_NAME = "vigil-e2e";
  private static final Duration OUTAGE = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern ALERT_ID = Pattern.compile("alert_id=\"(\\d+)\"");

  /** Sink name, transport and facility (syslog facility number: local1 = 17, ...). */
  private record Sink(String name, String transport, String facility, int facilityCode) {}

  private static final List<Sink> SINKS =
      List.of(
          new Sink("siem-udp", "udp", "local1", 17),
          new Sink("siem-tcp", "tcp", "local2", 18),
          new Sink("siem-tls", "tls", "local3", 19));

  /** An alert as the store has it: what the syslog message must carry. */
  private record StoredAlert(
      long id,
      String agentId,
      String hostname,
      String source,
      String ruleId,
      String title,
      String level,
      long storedNs) {}

  /** Syslog severity by alert level; any other level (or none) is 6, info. */
  private static final Map<String, Integer> SYSLOG_SEVERITY =
      Map.of("critical", 2, "high", 3, "medium", 4, "low", 5);

  /** CEF severity by alert level; any other level (or none) is 1. */
  private static final Map<String, Integer> CEF_SEVERITY =
      Map.of("critical", 10, "high", 8, "medium", 5, "low", 3);

  @TempDir Path dir;

  @Test
  void alertsArriveOverUdpTcpAndTlsAndNoneIsLostOverTcpOrTlsInAMinuteOutage() throws Exception {
    Rsyslog.requireInstalled();
    Path rules = ExecRule.write(dir.resolve("rules"), RULE_ID, TITLE, "high");
    int metricsPort = Ports.free();
    try (Rsyslog rsyslog = Rsyslog.start(dir.resolve("rsyslog"));
        Deployment d = new Deployment(dir).withCollectorMetrics(metricsPort)) {
      VigilProcess collector = d.startCollector(config(rules, rsyslog));
      String hostname = expectedHostname();

      // Before the outage: every alert on every transport, each field as meant.
      VigilProcess agent = d.startAgent(200, 200);
      d.awaitStored(200, Duration.ofMinutes(1), agent, collector);
      Map<Long, StoredAlert> before = storedAlerts(d);
      assertTrue(
          before.values().stream().anyMatch(a -> a.ruleId().equals(RULE_ID)),
          "the synthetic process starts raised alerts");
      for (Sink s : SINKS) {
        for (Rsyslog.Received r : awaitIds(rsyslog, s.transport(), before.keySet(), collector)) {
          checkMessage(r, before.get(alertId(r)), s, hostname, collector.pid());
        }
      }
      Map<String, Long> deliveredBefore = new TreeMap<>();
      for (Sink s : SINKS) {
        deliveredBefore.put(s.name(), awaitDeliveredAll(d, metricsPort, s));
      }
      agent.stop();

      // The outage: alerts raised while rsyslog is down fail on TCP and TLS, and none is taken.
      rsyslog.stop();
      long stoppedAt = System.nanoTime();
      VigilProcess again = d.startAgent(400, 200);
      d.awaitStored(400, Duration.ofMinutes(1), again, collector);
      // detection runs behind ingest: the events are stored before their alerts
      long newest = Collections.max(before.keySet());
      Poll.until(
          WAIT,
          () -> "no alert raised during the outage; collector log:\n" + tail(collector),
          () ->
              d.store()
                      .count(
                          "SELECT count(*) FROM alerts WHERE id > "
                              + newest
                              + " AND rule_id = '"
                              + RULE_ID
                              + "'")
                  > 0);
      Map<Long, StoredAlert> all = storedAlerts(d);
      assertTrue(
          all.size() > deliveredBefore.get("siem-tcp"),
          "alerts stored during the outage: " + all.keySet());
      for (Sink s : SINKS.subList(1, 3)) {
        Poll.until(
            WAIT,
            () -> "no failure counted for " + s.name() + "; collector log:\n" + tail(collector),
            () -> metric(metricsPort, "vigil_collector_sink_failures_total", s) > 0);
        assertEquals(
            deliveredBefore.get(s.name()),
            metric(metricsPort, "vigil_collector_sink_delivered_total", s),
            s.name() + " counted nothing delivered while the receiver was down");
      }
      long left = OUTAGE.toNanos() - (System.nanoTime() - stoppedAt);
      if (left > 0) {
        Thread.sleep(left / 1_000_000 + 1);
      }
      rsyslog.restart();

      // After it: every alert, from before and during the outage, at least once over TCP and TLS.
      for (Sink s : SINKS.subList(1, 3)) {
        for (Rsyslog.Received r : awaitIds(rsyslog, s.transport(), all.keySet(), collector)) {
          checkMessage(r, all.get(alertId(r)), s, hostname, collector.pid());
        }
        awaitDeliveredAll(d, metricsPort, s);
      }
      // UDP: not asserted (see the class comment); what came is shown for whoever reads the log.
      Set<Long> overUdp = idsOn(rsyslog, "udp");
      System.out.printf(
          "SyslogSinkTest: %d alerts (%d before the outage); over UDP %d arrived so far,"
              + " %d missing%n",
          all.size(),
          before.size(),
          overUdp.size(),
          all.keySet().stream().filter(id -> !overUdp.contains(id)).count());
    }
  }

  private static String[] config(Path rules, Rsyslog rsyslog) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "detection:",
                // only the test's rule raises alerts on the synthetic events: known levels
                "  starter_rules: false",
                "  rule_dirs: [\"" + rules + "\"]",
                // one alert per matching event: suppression would fold the outage's matches
                // (same images as before it) into the alerts delivered before it
                "  suppression:",
                "    window: 0s",
                "sinks:"));
    for (Sink s : SINKS) {
      int port =
          switch (s.transport()) {
            case "udp" -> rsyslog.udpPort();
            case "tcp" -> rsyslog.tcpPort();
            default -> rsyslog.tlsPort();
          };
      lines.addAll(
          List.of(
              "  " + s.name() + ":",
              "    type: syslog",
              "    address: 127.0.0.1:" + port,
              "    transport: " + s.transport(),
              "    app_name: " + APP_NAME,
              "    facility: " + s.facility(),
              // short backoff: the test waits for the retries after the receiver returns
              "    retry_initial: 200ms",
              "    retry_max: 2s",
              "    start: oldest"));
      if (s.transport().equals("tls")) {
        lines.add("    ca_file: \"" + rsyslog.caFile() + "\"");
      }
    }
    return lines.toArray(new String[0]);
  }

  /** The HOSTNAME the collector on this machine sends (see docs/alert-sinks-syslog.md). */
  private static String expectedHostname() throws Exception {
    String name = InetAddress.getLocalHost().getHostName();
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length() && out.length() < 255; i++) {
      char c = name.charAt(i);
      out.append(c > 32 && c < 127 ? c : '_');
    }
    return out.isEmpty() ? "-" : out.toString();
  }

  /**
   * Every stored alert by id (the test rule's, and any health alert the agent's restart may raise),
   * with the host name the sinks send: the alert's, else its agent's.
   */
  private static Map<Long, StoredAlert> storedAlerts(Deployment d) throws SQLException {
    Map<Long, StoredAlert> out = new TreeMap<>();
    Path db = d.collectorState().resolve("vigil.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT a.id, a.agent_id, coalesce(nullif(a.hostname, ''), (SELECT"
                        + " nullif(g.hostname, '') FROM agents g WHERE g.agent_id = a.agent_id),"
                        + " a.agent_id), a.source, a.rule_id, a.title, a.level, a.stored_ns"
                        + " FROM alerts a")) {
      while (rs.next()) {
        StoredAlert a =
            new StoredAlert(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getLong(8));
        out.put(a.id(), a);
      }
    }
    return out;
  }

  /**
   * rsyslog's parse of the message against what the sink means: RFC 5424 fields, then the CEF
   * record in MSG against the stored alert.
   */
  private static void checkMessage(
      Rsyslog.Received r, StoredAlert a, Sink s, String hostname, long collectorPid) {
    assertEquals("1", r.version(), "rsyslog parsed it as RFC 5424: " + r);
    int severity = a.level() == null ? 6 : SYSLOG_SEVERITY.getOrDefault(a.level(), 6);
    assertEquals(s.facilityCode() * 8 + severity, r.pri(), "facility " + s.facility() + ": " + r);
    Instant stored = Instant.ofEpochSecond(0, a.storedNs()).truncatedTo(ChronoUnit.MICROS);
    assertEquals(stored, OffsetDateTime.parse(r.timestamp()).toInstant(), r.toString());
    assertEquals(hostname, r.hostname(), r.toString());
    assertEquals(APP_NAME, r.appName(), r.toString());
    assertEquals(Long.toString(collectorPid), r.procId(), r.toString());
    assertEquals("alert", r.msgId(), r.toString());
    assertEquals(
        "[vigil@32473 alert_id=\""
            + a.id()
            + "\" agent_id=\""
            + a.agentId()
            + "\" rule_id=\""
            + a.ruleId()
            + "\" source=\""
            + a.source()
            + "\""
            + (a.level() == null ? "" : " level=\"" + a.level() + "\"")
            + "]",
        r.structuredData());
    CefRecord cef = CefRecord.parse(r.msg());
    assertEquals(List.of("0", "Vigil", "Vigil Collector"), cef.header().subList(0, 3), r.msg());
    assertEquals(a.ruleId(), cef.header().get(4), r.msg());
    assertEquals(a.title(), cef.name(), r.msg());
    int cefSeverity = a.level() == null ? 1 : CEF_SEVERITY.getOrDefault(a.level(), 1);
    assertEquals(Integer.toString(cefSeverity), cef.header().get(6), r.msg());
    assertEquals(a.hostname(), cef.extension().get("dhost"), r.msg());
    assertEquals(a.level(), cef.extension().get("cs3"), r.msg());
    if (a.ruleId().equals(RULE_ID)) {
      assertEquals(TITLE, cef.name(), r.msg());
      assertEquals("8", cef.header().get(6), "CEF severity of a high alert: " + r.msg());
    }
    assertEquals(Long.toString(a.id()), cef.extension().get("externalId"), r.msg());
    assertEquals(a.agentId(), cef.extension().get("cs1"), r.msg());
  }

  /** Waits until each id came in on {@code input}; returns every message with one of them. */
  private static List<Rsyslog.Received> awaitIds(
      Rsyslog rsyslog, String input, Set<Long> ids, VigilProcess collector)
      throws InterruptedException {
    Poll.until(
        WAIT,
        () -> {
          Set<Long> missing = new TreeSet<>(ids);
          missing.removeAll(idsOn(rsyslog, input));
          return missing.size()
              + " of "
              + ids.size()
              + " alerts missing on "
              + input
              + ": "
              + missing
              + "\nrsyslog log: "
              + rsyslog.log()
              + "\ncollector log:\n"
              + tail(collector);
        },
        () -> idsOn(rsyslog, input).containsAll(ids));
    return rsyslog.received().stream()
        .filter(r -> r.input().equals(input) && ids.contains(alertId(r)))
        .toList();
  }

  private static Set<Long> idsOn(Rsyslog rsyslog, String input) {
    return rsyslog.received().stream()
        .filter(r -> r.input().equals(input))
        .map(SyslogSinkTest::alertId)
        .collect(Collectors.toSet());
  }

  private static long alertId(Rsyslog.Received r) {
    Matcher m = ALERT_ID.matcher(r.structuredData());
    assertTrue(m.find(), "no alert_id in " + r);
    return Long.parseLong(m.group(1));
  }

  /**
   * Waits until the sink's delivered counter equals the number of stored alerts (read anew each
   * time: a health alert may still come); returns that number.
   */
  private static long awaitDeliveredAll(Deployment d, int port, Sink s)
      throws InterruptedException {
    String name = "vigil_collector_sink_delivered_total";
    Poll.until(
        WAIT,
        () ->
            name
                + "{sink=\""
                + s.name()
                + "\"} is "
                + metric(port, name, s)
                + ", stored alerts "
                + d.store().count("SELECT count(*) FROM alerts"),
        () -> metric(port, name, s) == d.store().count("SELECT count(*) FROM alerts"));
    return metric(port, name, s);
  }

  /** A sink's counter from the collector's metrics endpoint; -1 when it is not there. */
  private static long metric(int port, String name, Sink s) {
    String text;
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      text = response.body();
    } catch (Exception e) {
      throw new AssertionError("cannot read the collector's metrics: " + e, e);
    }
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + Pattern.quote(name)
                    + "\\{[^}]*sink=\""
                    + Pattern.quote(s.name())
                    + "\"[^}]*\\} ([0-9.eE+]+)$")
            .matcher(text);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
  }

  private static String tail(VigilProcess p) {
    return Deployment.tail(p.logText(), 4000);
  }
}
