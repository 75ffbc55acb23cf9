package io.vigil.agent.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.Event;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline mode on real captures: events as JSON lines, a summary, damaged files reported. */
class PcapCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new PcapCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false)
        .run(args);
  }

  @Test
  void dnsAndFlowsOfACaptureComeOutAsParsableEventsWithASummary() throws Exception {
    Path pcaps = TestData.require("pcaps/suricata-verify");
    Path jsonl = dir.resolve("out.jsonl");
    int code =
        run(
            pcaps.resolve("app-layer-protocol-prefilter.pcap").toString(),
            pcaps.resolve("alert-distance-within-1.pcap").toString(),
            "--out",
            jsonl.toString());
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    List<String> lines = Files.readAllLines(jsonl);
    int flows = 0;
    int dns = 0;
    for (String line : lines) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      assertTrue(o.get("file").getAsString().endsWith(".pcap"), line);
      Event.Builder e = Event.newBuilder();
      JsonFormat.parser().merge(o.get("event").toString(), e);
      if (e.hasFlow()) {
        flows++;
        assertFalse(e.getFlow().getCommunityId().isEmpty(), line);
      }
      if (e.hasDns()) {
        dns++;
        assertEquals("test.example.com", e.getDns().getQueryName(), line);
      }
    }
    assertTrue(flows >= 2 && dns >= 1, lines.toString());
    String summary = out.toString(StandardCharsets.UTF_8);
    assertTrue(summary.startsWith("2 files: "), summary);
    assertTrue(summary.contains(flows + " flows"), summary);
    assertTrue(summary.contains(dns + " DNS events"), summary);
    assertTrue(summary.contains("by link type: ethernet "), summary);
    assertTrue(summary.contains("malformed: none"), summary);
  }

  @Test
  void aDamagedFileKeepsItsGoodPacketsAndExitsOne() throws Exception {
    Path pcaps = TestData.require("pcaps/suricata-verify");
    Path jsonl = dir.resolve("out.jsonl");
    int code =
        run(
            pcaps.resolve("bug-1450-04__tls_DER-incomplete-header.pcap").toString(),
            "--out",
            jsonl.toString());
    assertEquals(1, code);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("offset 5035") && e.contains("the packets before it were read"), e);
    // tshark agrees: "appears to be damaged or corrupt" after 6 packets.
    assertTrue(
        out.toString(StandardCharsets.UTF_8).startsWith("1 files: 6 packets"), out.toString());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, run());
    assertEquals(2, run("x.pcap"));
    assertEquals(2, run("x.pcap", "--out"));
    assertEquals(2, run("x.pcap", "--bogus", "--out", "y"));
    assertEquals(1, run(dir.resolve("missing.pcap").toString(), "--out", "y"));
  }

  @Test
  void hostilePathArgumentsAreRefusedNamingTheArgumentAndPrintedInert() {
    assertEquals(2, run("x.pcap", "--out", "y\u0000\u001b]0;pwn\u0007"));
    assertEquals(2, run("a\u0000.pcap", "--out", "y"));
    assertEquals(2, run("x.pcap", "--\u001b[2J", "--out", "y"));
    assertEquals(1, run(dir.resolve("<script>\u001b[2J.pcap").toString(), "--out", "y"));
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("--out: path contains a NUL character"), printed);
    assertTrue(printed.contains("capture file: path contains a NUL character"), printed);
    assertTrue(printed.contains("unknown option --\\x1b[2J"), printed);
    assertTrue(printed.contains("<script>\\x1b[2J.pcap"), printed);
    assertFalse(printed.contains("\u001b") || printed.contains("\u0000"), printed);
  }
}
