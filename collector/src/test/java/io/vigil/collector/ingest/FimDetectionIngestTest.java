package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.FimAgentSim.file;
import static io.vigil.collector.ingest.FimAgentSim.hash;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.config.IntelSection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.detection.TestRules;
import io.vigil.collector.fim.FimAlerts;
import io.vigil.collector.fim.FimOptions;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrity events among the others with detection on: Sigma rules, a correlation and the
 * allow-list meet the new payload kinds without error; an open or an integrity mismatch of a cron
 * file is no {@code file_event}, its creation is; the allow-list silences a mirror alert by rule id
 * and host like any other.
 */
class FimDetectionIngestTest {
  private static final String CORRELATION_ID = "7d6c1f3e-0000-4000-8000-00000000f1c0";
  private static final String CRON_ID = "7d6c1f3e-0000-4000-8000-00000000f1c1";

  @TempDir Path dir;

  private FimRun start() throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    TestRules.write(
        rules,
        "decodes.yml",
        String.join(
            "\n",
            "title: Two decodes",
            "id: " + CORRELATION_ID,
            "level: medium",
            "correlation:",
            "  type: event_count",
            "  rules: [" + TestRules.BASE64_DECODE_ID + "]",
            "  group-by: [ComputerName]",
            "  timespan: 1h",
            "  generate: true",
            "  condition:",
            "    gte: 2",
            ""));
    TestRules.write(
        rules,
        "cron.yml",
        String.join(
            "\n",
            "title: Cron file created",
            "id: " + CRON_ID,
            "level: low",
            "logsource:",
            "  product: linux",
            "  category: file_event",
            "detection:",
            "  selection:",
            "    TargetFilename|startswith: /etc/cron.d/",
            "  condition: selection",
            ""));
    Path allow = dir.resolve("allow.yml");
    Files.writeString(
        allow,
        String.join(
            "\n",
            "entries:",
            "  - reason: the lab hosts keep no mirror",
            "    rules: [" + FimAlerts.NOT_MIRRORED + "]",
            "    hosts: [web-*]",
            ""));
    DetectionSection section =
        new DetectionSection(
            true,
            false,
            List.of(rules),
            List.of(),
            Optional.of(allow),
            Duration.ofSeconds(60),
            100_000,
            Duration.ofSeconds(60));
    return new FimRun(
        dir,
        FimOptions.defaults(),
        metrics -> DetectionStart.start(section, IntelSection.none(), metrics));
  }

  private static Event decode(FimAgentSim a) {
    return a.event()
        .setProcessExec(
            ProcessExec.newBuilder()
                .setProcess(
                    ProcessRef.newBuilder()
                        .setPid(4242)
                        .setImage("/usr/bin/base64")
                        .setCommandLine("base64 -d /tmp/blob")))
        .build();
  }

  private static Event cronFile(FimAgentSim a, FileEvent.Action action) {
    return a.event()
        .setSensor("file")
        .setFile(
            FileEvent.newBuilder()
                .setAction(action)
                .setPath("/etc/cron.d/job")
                .setSource("fanotify")
                .setProcess(ProcessRef.newBuilder().setPid(77).setImage("/usr/bin/tee")))
        .build();
  }

  @Test
  void rulesCorrelationsAndTheAllowListMeetIntegrityEventsWithoutError() throws Exception {
    FimAgentSim a = new FimAgentSim(1);
    a.edit("/etc/cron.d/job", file(hash('1'), 10));
    try (FimRun r = start()) {
      List<Event> batch = new java.util.ArrayList<>();
      batch.add(a.scan("b0")); // no mirror yet: not mirrored, allowed on web-1
      batch.add(decode(a));
      batch.addAll(a.sendBaseline("b1", "created", 100));
      batch.add(cronFile(a, FileEvent.Action.ACTION_OPEN));
      a.edit("/etc/cron.d/job", file(hash('2'), 11)); // the local baseline edited
      batch.add(a.change("/etc/cron.d/job", file(hash('3'), 12)));
      batch.add(a.scan("b1"));
      batch.add(cronFile(a, FileEvent.Action.ACTION_CREATE));
      batch.add(decode(a));
      batch.add(a.scan("b1")); // moves event time past the correlation's allowed lateness
      r.send(batch);

      assertEquals(
          List.of(
              TestRules.BASE64_DECODE_ID,
              FimAlerts.CHANGE_OFF_MIRROR,
              CRON_ID,
              TestRules.BASE64_DECODE_ID,
              CORRELATION_ID),
          r.ruleIds());
      assertEquals(List.of(2L, 5L, 7L, 8L, 8L), r.alerts().stream().map(x -> x.seq()).toList());
      assertEquals(
          1, r.counter("vigil_collector_detection_silenced_total", "by", "allow_list_fim"));
      assertEquals(0, r.counter("vigil_collector_detection_failures_total"));
      assertEquals(0, r.counter("vigil_collector_detection_rule_errors"));
      assertEquals(2, r.counter("vigil_collector_fim_scans_total", "result", "match"));
    }
  }
}
