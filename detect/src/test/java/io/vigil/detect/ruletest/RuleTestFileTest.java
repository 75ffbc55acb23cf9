package io.vigil.detect.ruletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleTestFileTest {
  @TempDir Path dir;

  private RuleTestFile read(String text) throws Exception {
    Path file = dir.resolve("x.test.yml");
    Files.writeString(file, text);
    return RuleTestFile.read(file);
  }

  @Test
  void anEventInYamlIsTheProtobufJsonFormInBothNameStyles() throws Exception {
    RuleTestFile f =
        read(
            "- name: camel\n  expect: match\n  event:\n    eventTimeNs: '1700000000000000000'\n"
                + "    processExec:\n      process: {pid: 42, image: /usr/bin/id, commandLine: id}\n"
                + "      args: [id, -u]\n      execWithoutFork: true\n      euid: 0\n"
                + "- name: proto names\n  expect: no match\n  event:\n"
                + "    file: {action: ACTION_RENAME, path: /etc/x, old_path: /tmp/x, size: 12}\n"
                + "- name: enum by number\n  expect: no match\n  event: {file: {action: 3}}\n");

    assertEquals(List.of(), f.problems());
    assertEquals(3, f.entries());
    RuleTestCase camel = f.cases().get(0);
    assertEquals(1, camel.index());
    assertTrue(camel.expectMatch());
    assertEquals(
        Event.newBuilder()
            .setEventTimeNs(1_700_000_000_000_000_000L)
            .setProcessExec(
                ProcessExec.newBuilder()
                    .setProcess(
                        ProcessRef.newBuilder()
                            .setPid(42)
                            .setImage("/usr/bin/id")
                            .setCommandLine("id"))
                    .addArgs("id")
                    .addArgs("-u")
                    .setExecWithoutFork(true))
            .build(),
        camel.event());
    RuleTestCase proto = f.cases().get(1);
    assertFalse(proto.expectMatch());
    assertEquals(
        FileEvent.newBuilder()
            .setAction(FileEvent.Action.ACTION_RENAME)
            .setPath("/etc/x")
            .setOldPath("/tmp/x")
            .setSize(12)
            .build(),
        proto.event().getFile());
    assertEquals(FileEvent.Action.ACTION_DELETE, f.cases().get(2).event().getFile().getAction());
  }

  @Test
  void valuesProtobufRejectsAreProblemsNamingTheCase() throws Exception {
    RuleTestFile f =
        read(
            "- name: bad enum\n  expect: match\n  event: {file: {action: ACTION_EXPLODE}}\n"
                + "- name: text for a number\n  expect: match\n"
                + "  event: {processExec: {process: {pid: lots}}}\n"
                + "- name: a list for a message\n  expect: match\n  event: {dns: [a, b]}\n"
                + "- name: non-string key\n  expect: match\n  event: {dns: {1: x}}\n"
                + "- name: fine\n  expect: match\n  event: {dns: {queryName: example.org}}\n");

    assertEquals(5, f.entries());
    assertEquals(List.of("fine"), f.cases().stream().map(RuleTestCase::name).toList());
    assertEquals(4, f.problems().size(), f.problems().toString());
    assertTrue(f.problems().get(0).startsWith("case 1 \"bad enum\": event: "), f.problems().get(0));
    assertTrue(f.problems().get(0).contains("ACTION_EXPLODE"), f.problems().get(0));
    assertTrue(f.problems().get(1).startsWith("case 2 \"text for a number\": event: "));
    assertTrue(f.problems().get(2).startsWith("case 3 \"a list for a message\": event: "));
    assertEquals(
        "case 4 \"non-string key\": event.dns: key 1 is not a string", f.problems().get(3));
  }

  @Test
  void anAliasBombIsRefusedByTheSafeLoader() throws Exception {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      bomb.append(("*" + p + ", ").repeat(9)).append('*').append(p).append("]\n");
    }
    RuleTestFile f = read(bomb.toString());
    assertEquals(0, f.entries());
    assertTrue(f.problems().get(0).contains("aliases"), f.problems().toString());
  }

  @Test
  void deepNestingIsAProblemNotAStackOverflow() throws Exception {
    StringBuilder deep = new StringBuilder("- name: deep\n  expect: match\n  event:\n");
    for (int i = 4; i < 1300; i++) {
      deep.append(" ".repeat(i)).append("a:\n");
    }
    deep.append(" ".repeat(1300)).append("b: 1\n");
    RuleTestFile f = read(deep.toString());
    assertEquals(List.of("YAML collections nested deeper than 64 levels"), f.problems());
  }

  @Test
  void aFileThatCannotBeReadIsOneProblem() {
    RuleTestFile f = RuleTestFile.read(dir.resolve("missing.test.yml"));
    assertEquals(List.of(), f.cases());
    assertEquals(1, f.problems().size());
    assertTrue(f.problems().get(0).startsWith("cannot read: "), f.problems().get(0));
  }
}
