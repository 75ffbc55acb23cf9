package io.vigil.detect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine skips rules its literal index says cannot match; these tests evaluate every rule on
 * every view as well and require the same findings, on SigmaHQ's Linux rules with the benchmark's
 * event mix, so the index (required literals of every modifier, regular expressions, numbers,
 * keyword searches, auditd records) changes speed and nothing else.
 */
class CandidateIndexAgreementTest {
  private static final Path MIX = Path.of("../bench/detect/event-mix.txtpb");

  @Test
  void sigmaHqLinuxRulesFindTheSameWithAndWithoutTheIndex() throws IOException {
    RuleCatalog catalog = RuleCatalog.load(List.of(TestData.require("sigma/rules/linux")));
    DetectionEngine engine = catalog.engine();
    List<Event> events = new ArrayList<>(mix());
    events.add(exec("/usr/bin/base64", "base64", "-d", "/tmp/x"));
    events.add(exec("/usr/bin/cat", "cat", "/etc/shadow"));
    events.add(exec("/usr/sbin/iptables", "iptables", "-A", "INPUT", "-j", "DROP"));
    events.add(exec("/usr/bin/chmod", "chmod", "777", "/tmp/x"));
    events.add(exec("/usr/bin/dd", "dd", "if=/dev/zero", "of=/tmp/pad", "count=0"));
    events.add(exec("/usr/bin/pnscan", "pnscan", "-W", "'41 42 43'", "10.0.0.0/8", "22"));
    int findings = 0;
    for (Event e : events) {
      List<String> expected = everyRule(catalog.active(), e);
      findings += expected.size();
      assertEquals(expected, ids(engine.evaluate(e)), "event " + e.getSeq() + ": " + e);
    }
    assertTrue(findings > 150, "the events should match rules: " + findings);
    assertEquals(0, engine.ruleErrors());
  }

  @Test
  void theIndexLeavesMostRulesUntried() throws IOException {
    RuleCatalog catalog = RuleCatalog.load(List.of(TestData.require("sigma/rules/linux")));
    ActiveRule[] processRules =
        catalog.active().stream()
            .filter(r -> "process_creation".equals(r.compiled().rule().logsource().category()))
            .toArray(ActiveRule[]::new);
    CandidateRules index = CandidateRules.of(processRules);
    long tried = 0;
    long execs = 0;
    for (Event e : mix()) {
      for (SigmaFields view : processRules[0].mapping().present(e)) {
        execs++;
        for (long w : index.candidates(view)) {
          tried += Long.bitCount(w);
        }
      }
    }
    assertTrue(execs > 1000, "the mix has execs");
    assertTrue(
        tried * 20 < execs * processRules.length,
        tried + " rule evaluations for " + execs + " execs and " + processRules.length + " rules");
  }

  /** What the engine would find without an index: every rule on every view, once per rule. */
  private static List<String> everyRule(List<ActiveRule> rules, Event e) {
    TreeSet<String> out = new TreeSet<>();
    for (ActiveRule r : rules) {
      for (SigmaFields view : r.mapping().present(e)) {
        if (r.compiled().matches(view)) {
          out.add(r.id());
          break;
        }
      }
    }
    return new ArrayList<>(out);
  }

  private static List<String> ids(List<Finding> findings) {
    return new ArrayList<>(new TreeSet<>(findings.stream().map(Finding::ruleId).toList()));
  }

  private static List<Event> mix() throws IOException {
    List<Event> out = new ArrayList<>();
    for (String line : Files.readAllLines(MIX)) {
      if (!line.startsWith("#") && !line.isBlank()) {
        Event.Builder b = Event.newBuilder();
        TextFormat.getParser().merge(line, b);
        out.add(b.build());
      }
    }
    return out;
  }

  private static Event exec(String image, String... args) {
    ProcessRef p =
        ProcessRef.newBuilder()
            .setPid(4242)
            .setImage(image)
            .setCommandLine(String.join(" ", args))
            .setUser("root")
            .build();
    ProcessExec.Builder b =
        ProcessExec.newBuilder()
            .setProcess(p)
            .setParent(ProcessRef.newBuilder().setPid(1).setImage("/usr/bin/bash").build())
            .addAllArgs(List.of(args))
            .setEuid(33)
            .setCwd("/tmp");
    return Event.newBuilder().setSeq(100_000).setProcessExec(b).build();
  }
}
