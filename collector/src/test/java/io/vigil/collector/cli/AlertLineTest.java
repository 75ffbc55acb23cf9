package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.collector.store.AlertRow;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import org.junit.jupiter.api.Test;

class AlertLineTest {
  private static final long TIME = 1_700_000_000_123_456_789L; // 2023-11-14T22:13:20.123Z

  private static AlertRow row(String hostname, String level, byte[] payload, String matched) {
    return new AlertRow(
        7,
        "agent-1",
        hostname,
        "e1",
        42,
        10,
        TIME,
        TIME + 1000,
        "rule-1",
        "Title \u202e with override",
        level,
        "[]",
        matched,
        "/rules/r.yml",
        payload);
  }

  @Test
  void showsTimeHostLevelTitleRuleProcessAndMatchedFieldsWithEventTextEscaped() {
    Event exec =
        Event.newBuilder()
            .setProcessExec(
                ProcessExec.newBuilder()
                    .setProcess(
                        ProcessRef.newBuilder()
                            .setPid(321)
                            .setUser("nobody")
                            .setImage("/usr/bin/cat")
                            .setCommandLine("cat /etc/shadow \u001b[2J")))
            .build();
    String line =
        AlertLine.format(
            row(
                "web-1",
                "low",
                exec.toByteArray(),
                "{\"CommandLine\":[\"cat /etc/shadow \\u001b[2J\"]}"));
    assertEquals(
        "2023-11-14T22:13:20.123Z web-1 low \"Title \\u202e with override\" rule=rule-1 alert=7"
            + " state=new pid=321 user=nobody image=/usr/bin/cat cmd=cat /etc/shadow \\x1b[2J"
            + " matched={\"CommandLine\":[\"cat /etc/shadow \\\\u001b[2J\"]}",
        line);
  }

  @Test
  void withoutHostLevelOrEventTheLineNamesTheAgentAndSaysWhatItKnows() {
    assertEquals(
        "2023-11-14T22:13:20.123Z agent-1 - \"Title \\u202e with override\" rule=rule-1 alert=7"
            + " state=new matched={}",
        AlertLine.format(row("", null, null, "{}")));
  }

  @Test
  void showsTheTriageStateTheCountOfFoldedMatchesAndTheAssigneeEscaped() {
    AlertRow r = row("web-1", "high", null, "{}");
    AlertRow triaged =
        new AlertRow(
            r.id(),
            r.agentId(),
            r.hostname(),
            r.epoch(),
            r.seq(),
            r.eventKind(),
            r.eventTimeNs(),
            r.storedNs(),
            r.ruleId(),
            r.title(),
            r.level(),
            r.tagsJson(),
            r.matchedFieldsJson(),
            r.ruleOrigin(),
            r.eventPayload(),
            "sigma",
            "acknowledged",
            null,
            "eve\u001b[2J",
            12,
            TIME,
            TIME,
            null,
            null,
            null,
            null,
            TIME);
    assertEquals(
        "2023-11-14T22:13:20.123Z web-1 high \"Title \\u202e with override\" rule=rule-1 alert=7"
            + " state=acknowledged count=12 assignee=eve\\x1b[2J matched={}",
        AlertLine.format(triaged));
  }
}
