package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.TreeEvent;
import io.vigil.proto.v1.TreeProcess;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeTimelineTest {
  private static final long DAY = 86_400_000_000_000L;
  private static final long T0 = 20_000 * DAY + 3_600_000_000_000L; // 2024-10-04 01:00 UTC

  private static TreeProcess process(String id, int depth, String relation, long execNs) {
    return TreeProcess.newBuilder()
        .setEntityId(id)
        .setPid(depth + 100)
        .setImage(execNs == 0 ? "" : "/bin/" + id)
        .setCommandLine(execNs == 0 ? "" : id + " \u001b]0;title\u0007")
        .setUser("u\u0085")
        .setExecTimeNs(execNs)
        .setRelation(relation)
        .setDepth(depth)
        .build();
  }

  @Test
  void ancestorsWithoutExecDayChangesAndTruncationAreShown() {
    ProcessTreeReply tree =
        ProcessTreeReply.newBuilder()
            .setAgentId("a1")
            .setHostname("h\u001b[1m")
            .addProcesses(process("init", -1, "ancestor", 0))
            .addProcesses(process("t", 0, "target", T0))
            .addEvents(
                TreeEvent.newBuilder()
                    .setEntityId("t")
                    .setEvent(
                        Event.newBuilder()
                            .setEventTimeNs(T0 + DAY)
                            .setProcessExit(
                                ProcessExit.newBuilder()
                                    .setExitStatusKnown(true)
                                    .setExitSignal(9))))
            .setTruncated(true)
            .build();
    List<String> lines = TreeTimeline.lines(tree);
    assertEquals(
        List.of(
            "process tree of t on h\\x1b[1m (agent a1), times UTC",
            "  --:--:--.---  pid 99  u\\x85  ?  (exec not seen)",
            "-- 2024-10-04",
            "  └─ 01:00:00.000  pid 100  u\\x85  /bin/t  t \\x1b]0;title\\x07   <- this process",
            "-- 2024-10-05",
            "       01:00:00.000  exit signal 9",
            "2 processes, 1 event",
            "truncated: some descendants or events are not shown (--depth, --max-events, or the"
                + " collector's caps)"),
        lines);
  }

  @Test
  void anIpv6AddressIsBracketedAndEscaped() {
    assertEquals("[::1]:80", TreeEventText.address("::1", 80));
    assertTrue(TreeEventText.address("1.2.3.4\u001b", 1).contains("\\x1b"));
  }
}
