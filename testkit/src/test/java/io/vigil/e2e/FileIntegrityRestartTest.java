package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrity monitoring across agent restarts, end to end: a file changed while the agent is
 * stopped, with its size kept and its mtime restored by {@code touch -r}, is reported at the next
 * start because the content hash (and the ctime, which no one can set back) differ; and a local
 * baseline destroyed while the agent is stopped (what root on a compromised host would do to hide a
 * change) is caught by the collector, whose mirror of the baseline differs from the one the agent
 * rebuilds.
 */
@Tag("kernel")
class FileIntegrityRestartTest {
  @TempDir Path dir;

  @Test
  void aChangeHiddenWithTouchDashRWhileTheAgentWasStoppedIsReportedAtTheNextStart()
      throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    Path tree = Files.createDirectory(dir.resolve("monitored")).toRealPath();
    Path conf = tree.resolve("app.conf");
    Files.writeString(conf, "listen=127.0.0.1\n");
    SensorsYaml sensors = new SensorsYaml().withFim("paths: [" + tree + "]", "rescan_interval: 1h");
    try (Deployment d = new Deployment(dir)) {
      d.startCollector();
      VigilProcess first = d.startSensorAgent(sensors, "status:", "  interval: 2s");
      SensorRun run = SensorRun.of(d, first);
      Event scan = run.awaitEvent("the first scan", EventKind.EVENT_KIND_FIM_SCAN, e -> true);
      assertEquals("start", scan.getFimScan().getTrigger());
      run.awaitEvent(
          "the new baseline mirrored",
          EventKind.EVENT_KIND_FIM_BASELINE,
          e -> e.getFimBaseline().getReason().equals("created"));
      assertEquals(143, first.stop(), "SIGTERM: orderly stop\n" + first.logText());

      // Same size, other content, the old mtime put back.
      FileTime mtime = Files.getLastModifiedTime(conf);
      Path ref = dir.resolve("ref");
      Child.start(dir, "cp", "-p", conf.toString(), ref.toString()).output();
      Child.start(dir, "sh", "-c", "printf 'listen=0.0.0.0:1\\n' > " + conf).output();
      Child.start(dir, "touch", "-r", ref.toString(), conf.toString()).output();
      assertEquals(mtime, Files.getLastModifiedTime(conf), "touch -r restored the mtime");
      assertEquals(17, Files.size(conf), "the size is unchanged");

      VigilProcess second = d.startSensorAgent(sensors, "status:", "  interval: 2s");
      run = SensorRun.of(d, second);
      FileEvent change =
          run.awaitEvent(
                  "the integrity mismatch of " + conf,
                  EventKind.EVENT_KIND_FILE,
                  e ->
                      e.getFile().getAction() == FileEvent.Action.ACTION_INTEGRITY_MISMATCH
                          && e.getFile().getPath().equals(conf.toString()))
              .getFile();
      String shown = "\n" + change;
      assertTrue(change.getChangedList().contains("content"), shown);
      assertTrue(change.getChangedList().contains("ctime"), shown);
      assertFalse(change.getChangedList().contains("size"), shown);
      assertFalse(change.getChangedList().contains("mtime"), shown);
      assertNotEquals(change.getBefore().getSha256(), change.getAfter().getSha256(), shown);
      assertEquals(Host.sha256(conf), change.getAfter().getSha256(), shown);
      assertEquals("fim", change.getSource(), shown);
      Event rescan =
          run.awaitEvent(
              "the scan at the second start",
              EventKind.EVENT_KIND_FIM_SCAN,
              e -> e.getFimScan().getChanges() == 1);
      assertEquals("start", rescan.getFimScan().getTrigger());
      assertEquals(List.of(), fimAlerts(d), "the mirror followed the change: no tamper alert");

      // Root on the host hides a second change by destroying the local baseline: the agent must
      // build a new one, and the collector compares it with its mirror.
      assertEquals(143, second.stop(), "SIGTERM: orderly stop\n" + second.logText());
      Files.writeString(conf, "listen=0.0.0.0:2\n");
      List<Path> baselines = localBaselineFiles(d.agentState());
      assertFalse(baselines.isEmpty(), "a local baseline file in " + d.agentState());
      for (Path b : baselines) {
        Files.write(b, new byte[] {1, 2, 3});
      }
      VigilProcess third = d.startSensorAgent(sensors, "status:", "  interval: 2s");
      SensorRun.of(d, third);
      Poll.until(
          SensorRun.WAIT,
          () -> "a baseline-recreated alert naming " + conf + "; fim alerts: " + fimAlerts(d),
          () ->
              fimAlerts(d).stream()
                  .anyMatch(
                      a ->
                          a.ruleId().equals("vigil-fim-baseline-recreated")
                              && a.matchedFieldsJson().contains(conf.toString())));
      assertEquals(143, third.stop(), "SIGTERM: orderly stop\n" + third.logText());
    }
    AuditRules.assertNoTestRules("after the agents stopped");
  }

  /** The integrity baseline files the agent keeps in its state directory. */
  private static List<Path> localBaselineFiles(Path state) throws Exception {
    try (var s = Files.list(state)) {
      return s.filter(p -> p.getFileName().toString().startsWith("fim-baseline"))
          .filter(Files::isRegularFile)
          .toList();
    }
  }

  private static List<AlertRow> fimAlerts(Deployment d) {
    Path db = d.collectorState().resolve("vigil.db");
    List<AlertRow> out = new ArrayList<>();
    if (!Files.exists(db)) {
      return out;
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      Predicate<AlertRow> fim = r -> r.ruleId().startsWith("vigil-fim-");
      reader.latestAlerts(10_000).stream().filter(fim).forEach(out::add);
    } catch (Exception e) {
      throw new AssertionError("cannot read alerts: " + e, e);
    }
    return out;
  }
}
