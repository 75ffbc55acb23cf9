package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.detection.Detection;
import io.vigil.collector.fim.FimAlerts;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror alerts raised by real ingest, as {@code vigilctl} lists and shows them: filtered by {@code
 * --source fim}, their details readable, a hostile path escaped.
 */
class FimAlertsCliTest {
  private static final String AGENT = "agent-fim";
  private static final String HOSTILE = "/etc/cron.d/\u001b[2J\nfake line\u202e";
  private static final long T = 1_790_000_000_000_000_000L;

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private static Event.Builder event(long seq) {
    return Event.newBuilder().setSeq(seq).setEventTimeNs(T + seq * 1_000_000_000L);
  }

  private Path ingestTamperedHost() throws Exception {
    Path db = dir.resolve("vigil.db");
    FileState passwd = FileState.newBuilder().setExists(true).setSha256("11".repeat(32)).build();
    FimEntry entry = FimEntry.newBuilder().setPath("/etc/passwd").setState(passwd).build();
    FileState forged = passwd.toBuilder().setSha256("22".repeat(32)).build();
    FileState planted = FileState.newBuilder().setExists(true).setSha256("33".repeat(32)).build();
    List<Event> events =
        List.of(
            event(1)
                .setFimBaseline(
                    FimBaseline.newBuilder()
                        .setBaselineId("b1")
                        .setReason("created")
                        .setPart(1)
                        .setParts(1)
                        .addEntries(entry)
                        .setDigest(FimDigest.of(List.of(entry))))
                .build(),
            // The local baseline was edited: the change starts from a state the mirror never had.
            event(2)
                .setFile(
                    FileEvent.newBuilder()
                        .setAction(FileEvent.Action.ACTION_INTEGRITY_MISMATCH)
                        .setPath(HOSTILE)
                        .setBefore(planted)
                        .setAfter(planted.toBuilder().setSize(9))
                        .addChanged("size"))
                .build(),
            event(3)
                .setFimScan(
                    FimScan.newBuilder()
                        .setBaselineId("b1")
                        .setDigest(
                            FimDigest.of(List.of(entry.toBuilder().setState(forged).build())))
                        .setEntries(1))
                .build());
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(db);
        IngestService ingest =
            new IngestService(
                store,
                IngestOptions.defaults(),
                metrics,
                List.of(),
                Detection.none(metrics),
                List.of(),
                FimOptions.defaults())) {
      ingest
          .openStream(
              AGENT,
              "e1",
              Hello.newBuilder().setHost(HostInfo.newBuilder().setHostname("web-1")).build(),
              T)
          .get();
      EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(1);
      events.forEach(e -> b.addEvents(e.toByteString()));
      ingest.submit(AGENT, "e1", b.build(), T).get();
    }
    return db;
  }

  private String ctl(OperatorFixture api, String... args) throws Exception {
    out.reset();
    List<String> all =
        new java.util.ArrayList<>(
            api.ctlArgs(api.tokenFile("tester", api.token("tester", "viewer"))));
    all.addAll(List.of(args));
    int code =
        CtlMain.run(
            all.toArray(String[]::new),
            Map.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            () -> T);
    assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void assertTerminalSafe(String text) {
    for (String line : text.split("\n", -1)) {
      for (char c : line.toCharArray()) {
        assertFalse(c < 0x20 || c == 0x7f || c == '\u202e', "raw control character in: " + line);
      }
    }
  }

  @Test
  void listAndShowPresentMirrorAlertsWithHostilePathsEscaped() throws Exception {
    ingestTamperedHost();
    try (OperatorFixture db = OperatorFixture.start(dir)) {
      check(db);
    }
  }

  private void check(OperatorFixture db) throws Exception {
    String list = ctl(db, "alerts", "list", "--source", "fim");
    assertTerminalSafe(list);
    List<String> lines = list.lines().toList();
    assertEquals(3, lines.size(), list); // header and two alerts
    assertTrue(lines.get(1).contains("FIM baseline on the host differs"), lines.get(1));
    assertTrue(lines.get(2).contains("FIM change does not follow"), lines.get(2));
    assertTrue(lines.get(1).contains("high"), lines.get(1));
    assertEquals(1, ctl(db, "alerts", "list", "--source", "sigma").lines().count(), "header");

    String id = lines.get(2).split(" ")[0];
    String show = ctl(db, "alerts", "show", id);
    assertTerminalSafe(show);
    assertTrue(show.contains(FimAlerts.CHANGE_OFF_MIRROR + "  (fim)"), show);
    assertTrue(show.contains("builtin:fim"), show);
    assertTrue(show.contains("/etc/cron.d/\\x1b[2J\\x0afake line\\u202e"), show);
    assertTrue(show.contains("integrity_mismatch"), "the event line: " + show);
  }
}
