package io.vigil.agent.sensor.process.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
  private final AtomicLong clock = new AtomicLong(1_000);

  private ProcessTable table(int max) {
    return new ProcessTable(max, Duration.ofSeconds(30), clock::get, pid -> Optional.empty());
  }

  static ProcessEntry entry(int pid, long ticks) {
    return new ProcessEntry(
        "id-" + pid + "-" + ticks, pid, 1, ticks, true, "/bin/x", "x", 0, "root", 5, 1, true, 0);
  }

  @Test
  void storedEntriesKeepAtMostOneKibOfTheirCommandLine() {
    ProcessTable t = table(16);
    String huge = "x".repeat(32 * 1024);
    ProcessEntry big =
        new ProcessEntry("id-9", 9, 1, 3, true, "/bin/x", huge, 0, "root", 5, 1, true, 0);

    ProcessEntry stored = t.compute(9, old -> big);

    assertEquals(CommandLines.TABLE_MAX_BYTES, stored.commandLine().length());
    assertEquals(1024, t.get(9).orElseThrow().commandLine().length());
    assertEquals(1024, t.find(9).orElseThrow().getCommandLine().length());
    t.compute(9, e -> e.withExit(77));
    assertEquals(1024, t.get(9).orElseThrow().toRef().getCommandLine().length());
  }

  @Test
  void fullTableEvictsExitedEntriesBeforeTheOldestRunningOnes() {
    ProcessTable t = table(16);
    for (int pid = 100; pid < 116; pid++) {
      t.put(entry(pid, pid));
    }
    t.compute(110, e -> e.withExit(99));
    t.compute(105, e -> e.withExit(98));

    t.put(entry(200, 1));
    t.put(entry(201, 1));
    t.put(entry(202, 1));

    assertEquals(16, t.size());
    assertTrue(t.get(110).isEmpty(), "first exited goes first");
    assertTrue(t.get(105).isEmpty(), "then the next exited");
    assertTrue(t.get(100).isEmpty(), "then the oldest running entry");
    assertTrue(t.get(101).isPresent());
    assertEquals(3, t.evicted());
  }

  @Test
  void exitedEntriesResolveDuringRetentionAndThenGo() {
    ProcessTable t = table(16);
    t.put(entry(300, 7));
    t.compute(300, e -> e.withExit(12345));
    clock.addAndGet(Duration.ofSeconds(29).toNanos());
    assertEquals(12345, t.find(300).map(r -> t.get(300).get().exitedAtNs()).orElse(0L));
    assertEquals("id-300-7", t.find(300).orElseThrow().getEntityId());

    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertTrue(t.get(300).isEmpty());
    assertEquals(0, t.size());
  }

  @Test
  void anUpdateKeepsTheEntryAgeButANewProcessUnderTheSamePidIsYoung() {
    ProcessTable t = table(16);
    for (int pid = 1; pid <= 16; pid++) {
      t.put(entry(pid, 10));
    }
    t.compute(1, e -> e.withUid(5, "five")); // same process: still the oldest
    t.put(entry(17, 10));
    assertTrue(t.get(1).isEmpty());

    t.put(entry(2, 99)); // pid 2 reused: now the youngest
    t.put(entry(18, 10));
    assertTrue(t.get(2).isPresent());
    assertTrue(t.get(3).isEmpty());
  }

  @Test
  void aMissIsLoadedOnceAndKept() {
    AtomicLong loads = new AtomicLong();
    ProcessTable t =
        new ProcessTable(
            16,
            Duration.ofSeconds(30),
            clock::get,
            pid -> {
              loads.incrementAndGet();
              return pid == 42 ? Optional.of(entry(42, 3)) : Optional.empty();
            });
    assertEquals("id-42-3", t.find(42).orElseThrow().getEntityId());
    assertEquals("id-42-3", t.find(42).orElseThrow().getEntityId());
    assertFalse(t.find(43).isPresent());
    assertEquals(2, loads.get());
  }
}
