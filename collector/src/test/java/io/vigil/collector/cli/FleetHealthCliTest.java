package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.health.FleetSeed;
import io.vigil.common.time.WallClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl hosts}, {@code vigilctl host HOST} and the health alerts in {@code alerts list}
 * and {@code alerts show}, against a real operator API over a database filled by real ingest.
 */
class FleetHealthCliTest {
  @TempDir Path dir;
  private OperatorFixture api;
  private Path token;
  private final CtlRunner vigilctl = new CtlRunner(WallClock::nowNanos);

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    api.trust.enrolled("agent-1", "web-1");
    FleetSeed.seed(api.db, "agent-1");
    token = api.tokenFile("vera", api.token("vera", "viewer"));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void hostsShowsHealthColumnsNextToWhatItShowedBefore() {
    assertEquals(0, ctl("hosts"), err());
    List<String> lines = out().lines().toList();
    assertEquals(2, lines.size(), out());
    String header = lines.get(0);
    for (String column :
        List.of(
            "HOST",
            "AGENT_ID",
            "CONNECTED",
            "LAST SEEN (UTC)",
            "ISOLATED",
            "PENDING COMMANDS",
            "VERSION",
            "DEGRADED",
            "DROPS",
            "BACKLOG",
            "PROBLEMS")) {
      assertTrue(header.contains(column), header);
    }
    List<String> cells = List.of(lines.get(1).split("  +"));
    assertEquals(List.of("web-1", "agent-1", "no"), cells.subList(0, 3), lines.get(1));
    assertEquals(
        List.of("0.9.1", "1", "12", "49", "7"),
        cells.subList(cells.size() - 5, cells.size()),
        lines.get(1));

    assertEquals(0, ctl("hosts", "--json"), err());
    String json = out().strip();
    assertTrue(json.contains("\"pending_commands\":0"), json);
    assertTrue(json.contains("\"backlog\":49"), json);
    assertTrue(json.contains("\"dropped\":{\"queue_full\":12}"), json);
    // JSON for scripts: escaped for JSON (control characters), one object a line.
    assertTrue(json.contains("\"reason\":\"fanotify unavailable x\\u001b[2J\\nfake line"), json);
    assertEquals(1, out().lines().count());
  }

  @Test
  void hostPrintsEverythingOfOneHostEscaped() {
    assertEquals(0, ctl("host", "web-1"), err());
    String text = out();
    for (String expected :
        List.of(
            "host web-1  agent agent-1",
            "  version           0.9.1",
            "  connected         no",
            "  stream            epoch e1  spooled seq 50  stored seq 1  backlog 49 events",
            "  uptime            1h 2m",
            "spool 12MiB",
            "sensors",
            "file",
            "inotify",
            "degraded: fanotify unavailable x\\x1b[2J\\x0afake line\\u202e",
            "  dropped           queue_full 12",
            "eth0",
            "tampering (newest status)",
            "  containment_table_removed: table inet vigil deleted  (not restored)",
            "problems",
            "  - capture eth0: 7 packets dropped by the kernel",
            "  - backlog 49 events (spooled on the host, not stored yet)")) {
      assertTrue(text.contains(expected), "missing \"" + expected + "\" in:\n" + text);
    }
    assertTrue(text.matches("(?s).*clock skew +(2m 5\\ds|3m) ahead.*"), text);
    CtlRunner.assertTerminalSafe(text);

    assertEquals(0, ctl("host", "agent-1", "--json"), err());
    assertTrue(out().startsWith("{\"hostname\":\"web-1\",\"agent_id\":\"agent-1\""), out());
    assertEquals(1, out().lines().count());

    assertEquals(1, ctl("host", "nope"));
    assertTrue(err().contains("no agent with host name or agent id \"nope\""), err());
    assertEquals(2, ctl("host"));
    assertEquals(2, ctl("host", "a", "b"));
  }

  @Test
  void healthAlertsListAndShowWithoutAnEventWhenTheCollectorRaisedThem() {
    assertEquals(0, ctl("alerts", "list", "--source", "health"), err());
    String list = out();
    assertTrue(list.contains("Agent's containment table removed"), list);
    String skewLine =
        list.lines().filter(l -> l.contains("Agent clock skewed")).findFirst().orElseThrow();
    assertTrue(skewLine.matches("\\d+ .* low .*web-1 +Agent clock skewed +- +-"), skewLine);
    String id = skewLine.substring(0, skewLine.indexOf(' '));

    assertEquals(0, ctl("alerts", "show", id), err());
    String show = out();
    assertTrue(show.contains("(health)"), show);
    assertTrue(show.contains("(none: raised by the collector at e1)"), show);
    assertTrue(show.contains("builtin:health"), show);
    CtlRunner.assertTerminalSafe(show);
  }

  private int ctl(String... args) {
    return vigilctl.ctl(api.ctlArgs(token), args);
  }

  private String out() {
    return vigilctl.out();
  }

  private String err() {
    return vigilctl.err();
  }
}
