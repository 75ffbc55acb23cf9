package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.store.AlertFixture;
import io.vigil.proto.v1.ProcessRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #9's must-show: a process command line holding a title-setting OSC sequence ({@code ESC
 * ]0;pwn BEL}), a screen clear ({@code ESC [2J}) and {@code <script>} is shown inert by {@code
 * vigilctl alerts list}, {@code alerts show} and their {@code --json}, read through the operator
 * API: no ESC or BEL byte reaches the output, the text shows an escaped form, the JSON keeps the
 * exact value.
 */
class HostileCommandLineTest {
  private static final String CMD =
      "sh -c 'echo \u001b]0;pwn\u0007; printf \u001b[2J' <script>alert(1)</script>";
  private static final String IMAGE = "/tmp/\u001b]0;pwn\u0007x";
  private static final String CMD_JSON =
      "sh -c 'echo \\u001b]0;pwn\\u0007; printf \\u001b[2J' <script>alert(1)</script>";

  @TempDir Path dir;

  @Test
  void listShowAndJsonShowTheCommandLineInert() throws Exception {
    Path db = dir.resolve("vigil.db");
    long id;
    try (AlertFixture f = AlertFixture.create(db)) {
      f.agent("agent-x", "web-9");
      long s = f.stream("agent-x", "e1");
      ProcessRef parent = AlertFixture.process("P1", 10, "/bin/bash", "-bash", "root");
      ProcessRef p = AlertFixture.process("P2", 20, IMAGE, CMD, "root");
      f.event(s, AlertFixture.exec(1, p, parent), "P2");
      id =
          f.alert(
              "agent-x",
              s,
              1,
              Map.of(
                  "entity_id",
                  "P2",
                  "matched_fields",
                  "{\"CommandLine\":[\"" + CMD_JSON.replace("\"", "\\\"") + "\"]}",
                  "process",
                  "{\"entity_id\":\"P2\",\"pid\":20,\"image\":\"/tmp/\\u001b]0;pwn\\u0007x\","
                      + "\"command_line\":\""
                      + CMD_JSON.replace("\"", "\\\"")
                      + "\",\"user\":\"root\",\"chain\":[]}"));
    }
    try (OperatorFixture api = OperatorFixture.start(dir)) {
      List<String> conn = api.ctlArgs(api.tokenFile("viewer", api.token("vic", "viewer")));

      String list = ctl(conn, "alerts", "list");
      assertInert(list);
      assertTrue(list.contains("/tmp/\\x1b]0;pwn\\x07x"), list);

      String show = ctl(conn, "alerts", "show", Long.toString(id));
      assertInert(show);
      assertTrue(show.contains("echo \\x1b]0;pwn\\x07; printf \\x1b[2J"), show);
      assertTrue(show.contains("<script>alert(1)</script>"), "shown as text: " + show);

      String json = ctl(conn, "alerts", "list", "--json");
      assertInert(json);
      JsonObject row = JsonParser.parseString(json.strip()).getAsJsonObject();
      assertEquals(CMD, row.getAsJsonObject("process").get("command_line").getAsString());

      String detail = ctl(conn, "alerts", "show", Long.toString(id), "--json");
      assertInert(detail);
      JsonObject d = JsonParser.parseString(detail.strip()).getAsJsonObject();
      assertEquals(
          CMD,
          d.getAsJsonObject("event")
              .getAsJsonObject("process_exec")
              .getAsJsonObject("process")
              .get("command_line")
              .getAsString());
    }
  }

  private static void assertInert(String out) {
    assertFalse(out.isEmpty());
    assertFalse(out.indexOf('\u001b') >= 0, "an ESC byte in:\n" + out);
    assertFalse(out.indexOf('\u0007') >= 0, "a BEL byte in:\n" + out);
    for (char c : out.toCharArray()) {
      assertFalse(c < 0x20 && c != '\n', "a control character in:\n" + out);
    }
  }

  private static String ctl(List<String> conn, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(conn);
    all.addAll(List.of(args));
    int code =
        CtlMain.run(
            all.toArray(String[]::new),
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> 1L);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
