package io.vigil.detect.vigil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.LogSource;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The events integrity monitoring adds (opens of sensitive files, integrity mismatches, baseline
 * parts, scan ends) meet the Sigma rules without errors and without matching rules written for file
 * creation: {@code file_event} is create, modify and rename, as Sysmon reports it.
 */
class IntegrityEventsOnRulesTest {
  private static final String CRON_RULE = "file_event/file_event_lnx_susp_cron_file_created.yml";

  private static Event file(FileEvent.Action action, String path) {
    return Event.newBuilder()
        .setSeq(1)
        .setFile(
            FileEvent.newBuilder()
                .setAction(action)
                .setPath(path)
                .setProcess(Events.proc(4242, "/usr/bin/tee", "tee " + path, "root")))
        .build();
  }

  private static Event mismatch(String path) {
    FileState before = FileState.newBuilder().setExists(true).setSha256("a".repeat(64)).build();
    FileState after = before.toBuilder().setSha256("b".repeat(64)).build();
    return Event.newBuilder()
        .setSeq(2)
        .setFile(
            FileEvent.newBuilder()
                .setAction(FileEvent.Action.ACTION_INTEGRITY_MISMATCH)
                .setPath(path)
                .setSource("fim")
                .setBefore(before)
                .setAfter(after)
                .addChanged("content"))
        .build();
  }

  private static Event baselinePart(String path) {
    return Event.newBuilder()
        .setSeq(3)
        .setFimBaseline(
            FimBaseline.newBuilder()
                .setBaselineId("b1")
                .setReason("created")
                .setPart(1)
                .setParts(1)
                .addEntries(
                    FimEntry.newBuilder()
                        .setPath(path)
                        .setState(FileState.newBuilder().setExists(true))))
        .build();
  }

  private static Event scan() {
    return Event.newBuilder()
        .setSeq(4)
        .setFimScan(FimScan.newBuilder().setBaselineId("b1").setTrigger("scheduled"))
        .build();
  }

  private static boolean fires(CompiledRule rule, Event event) {
    for (SigmaFields view : LogSources.map(rule.rule().logsource()).present(event)) {
      if (rule.matches(view)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void opensAndIntegrityMismatchesAreNoFileEventOfAnyFileCategory() {
    for (String category : List.of("file_event", "file_change", "file_delete", "file_rename")) {
      LogSourceMapping m = LogSources.map(new LogSource("linux", category, null));
      assertTrue(m.applicable(), category);
      assertEquals(List.of(), m.present(file(FileEvent.Action.ACTION_OPEN, "/etc/shadow")));
      assertEquals(List.of(), m.present(mismatch("/etc/shadow")), category);
    }
    LogSourceMapping fileEvent = LogSources.map(new LogSource("linux", "file_event", null));
    for (FileEvent.Action a :
        List.of(
            FileEvent.Action.ACTION_CREATE,
            FileEvent.Action.ACTION_MODIFY,
            FileEvent.Action.ACTION_RENAME)) {
      assertEquals(1, fileEvent.present(file(a, "/etc/cron.d/job")).size(), a.name());
    }
  }

  @Test
  void sigmaHqCronRuleFiresOnACreationAndNotOnAnOpenOrAnIntegrityMismatch() throws Exception {
    Path path = TestData.require("sigma/rules/linux").resolve(CRON_RULE);
    CompiledRule rule = RuleCompiler.compile(SigmaRuleLoader.load(path), new SigmaItemCompiler());
    assertTrue(fires(rule, file(FileEvent.Action.ACTION_CREATE, "/etc/cron.d/evil")));
    assertFalse(fires(rule, file(FileEvent.Action.ACTION_OPEN, "/etc/cron.d/evil")));
    assertFalse(fires(rule, mismatch("/etc/cron.d/evil")));
  }

  @Test
  void everySigmaHqLinuxRuleMeetsTheNewKindsWithoutErrorOrFinding() throws Exception {
    Path root = TestData.require("sigma/rules/linux");
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.filter(p -> p.toString().endsWith(".yml")).toList()) {
        LogSourceMapping m = LogSources.map(SigmaRuleLoader.load(f).logsource());
        assertFalse(m.kinds().contains(EventKind.EVENT_KIND_FIM_BASELINE), f.toString());
        assertFalse(m.kinds().contains(EventKind.EVENT_KIND_FIM_SCAN), f.toString());
      }
    }
    RuleCatalog catalog = RuleCatalog.load(List.of(root));
    DetectionEngine engine = catalog.engine();
    assertTrue(catalog.active().size() > 100, "the corpus loaded: " + catalog.summary());
    for (Event e :
        List.of(
            baselinePart("/etc/cron.d/evil"),
            scan(),
            mismatch("/etc/cron.d/evil"),
            file(FileEvent.Action.ACTION_OPEN, "/etc/cron.d/evil"))) {
      List<Finding> found = engine.evaluate(e);
      assertEquals(List.of(), found.stream().map(Finding::ruleId).toList(), e.toString());
    }
    assertEquals(
        EventKind.EVENT_KIND_FIM_BASELINE, LogSourceMapping.kindOf(baselinePart("/etc/passwd")));
    assertEquals(EventKind.EVENT_KIND_FIM_SCAN, LogSourceMapping.kindOf(scan()));
    // The same creation does fire: the corpus is live, the new kinds just are not its input.
    assertFalse(
        engine.evaluate(file(FileEvent.Action.ACTION_CREATE, "/etc/cron.d/evil")).isEmpty());
    assertEquals(0, engine.ruleErrors());
  }
}
