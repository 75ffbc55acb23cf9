package io.vigil.agent.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStart.PreviousStop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the previous run ended, from the files a run leaves in its state directory. */
class RunRecordTest {
  @TempDir Path dir;

  @Test
  void firstStartThenUncleanAfterAKillThenCleanAfterAStop() throws Exception {
    RunRecord first = RunRecord.begin(dir, 1_000_000_000L, 11);
    assertEquals(PreviousStop.PREVIOUS_STOP_FIRST_START, first.start().getPreviousStop());
    assertEquals(1_000_000_000L, first.start().getStartedNs());
    assertTrue(Files.exists(dir.resolve(RunRecord.RUNNING)));

    // killed: never ends cleanly
    RunRecord second = RunRecord.begin(dir, 2_000_000_000L, 22);
    assertEquals(PreviousStop.PREVIOUS_STOP_UNCLEAN, second.start().getPreviousStop());
    String detail = second.start().getDetail();
    assertTrue(detail.contains("pid 11"), detail);
    assertTrue(detail.contains("1970-01-01T00:00:01Z"), detail);

    second.endCleanly(1_795_000_000_123_456_789L); // 19 digits, as every time since 2001

    assertFalse(Files.exists(dir.resolve(RunRecord.RUNNING)));
    RunRecord third = RunRecord.begin(dir, 4_000_000_000L, 33);
    assertEquals(PreviousStop.PREVIOUS_STOP_CLEAN, third.start().getPreviousStop());
    assertTrue(third.start().getDetail().contains("2026-11-18T"), third.start().getDetail());
  }

  @Test
  void anUnreadableStartRecordIsStillUnclean() throws Exception {
    Files.writeString(dir.resolve(RunRecord.RUNNING), "garbage " + "9".repeat(400));
    RunRecord r = RunRecord.begin(dir, 1, 2);
    assertEquals(PreviousStop.PREVIOUS_STOP_UNCLEAN, r.start().getPreviousStop());
    assertTrue(r.start().getDetail().contains("unreadable"), r.start().getDetail());
  }

  @Test
  void theRecordedRunGivesItsPidAndIdentityUntilItStopsCleanly() throws Exception {
    assertTrue(RunRecord.recordedRun(dir).isEmpty(), "no run yet");
    ProcessIdentity id = new ProcessIdentity("0b7e0d6a-52a8-4a41-9d51-1c2b3d4e5f60", 123456);
    RunRecord r = RunRecord.begin(dir, 1_700_000_000_000_000_000L, 4242, Optional.of(id));
    assertEquals(
        new RunRecord.Recorded(1_700_000_000_000_000_000L, 4242, Optional.of(id)),
        RunRecord.recordedRun(dir).get());
    r.endCleanly(1_700_000_001_000_000_000L);
    assertTrue(RunRecord.recordedRun(dir).isEmpty(), "a clean stop leaves no running record");
  }

  @Test
  void aRecordOfAnOlderAgentHasNoIdentity() throws Exception {
    // As agents before the identity fields wrote it.
    Files.writeString(dir.resolve(RunRecord.RUNNING), "started_ns=1700000000000000000 pid=77\n");
    assertEquals(
        new RunRecord.Recorded(1_700_000_000_000_000_000L, 77, Optional.empty()),
        RunRecord.recordedRun(dir).get());
    // And the new fields do not disturb the older reader's pattern.
    RunRecord.begin(
        dir, 5, 6, Optional.of(new ProcessIdentity("0b7e0d6a-52a8-4a41-9d51-1c2b3d4e5f60", 9)));
    String text = Files.readString(dir.resolve(RunRecord.RUNNING));
    assertTrue(
        text.startsWith("started_ns=5 pid=6 boot_id=0b7e0d6a-52a8-4a41-9d51-1c2b3d4e5f60"), text);
  }

  @Test
  void beginRecordsTheRealIdentityOfALiveProcess() throws Exception {
    long self = ProcessHandle.current().pid();
    RunRecord.begin(dir, 5, self);
    Optional<ProcessIdentity> recorded = RunRecord.recordedRun(dir).get().identity();
    assertTrue(recorded.isPresent(), Files.readString(dir.resolve(RunRecord.RUNNING)));
    assertEquals(
        Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip(),
        recorded.get().bootId());
    // /proc/self/stat field 22, counted after the command name's closing parenthesis.
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    assertEquals(Long.parseLong(f[19]), recorded.get().startTicks());
    assertTrue(recorded.get().startTicks() > 0);
  }
}
