package io.vigil.agent.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.BudgetSection;
import io.vigil.common.proc.ProcessSelfStats;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The budget decisions on made-up samples and a made-up clock: budget 50 % of one core and 100 MiB,
 * window 30 s, samples every 5 s, recovery under 80 % for 60 s.
 */
class BudgetPolicyTest {
  private static final long MIB = 1 << 20;
  private static final BudgetSection BUDGET =
      new BudgetSection(
          true,
          50,
          100 * MIB,
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          80,
          Duration.ofSeconds(60));

  /** Feeds samples 5 s apart at a given CPU load and memory. */
  private static final class Feed {
    final BudgetPolicy policy = new BudgetPolicy(BUDGET);
    long nanos = 1_000_000_000L;
    double cpuSeconds;
    BudgetPolicy.Assessment last;

    /** {@code seconds} of samples at {@code cpuPercent} of one core and {@code rssMib}. */
    BudgetPolicy.Assessment run(int seconds, double cpuPercent, long rssMib) {
      for (int t = 0; t < seconds; t += 5) {
        nanos += 5_000_000_000L;
        cpuSeconds += 5 * cpuPercent / 100;
        last = policy.observe(new ProcessSelfStats.Sample(nanos, cpuSeconds, 0, rssMib * MIB));
      }
      return last;
    }

    /** Samples until the step changes (at most {@code seconds}); the seconds it took. */
    int untilChange(int seconds, double cpuPercent, long rssMib) {
      for (int t = 5; t <= seconds; t += 5) {
        if (run(5, cpuPercent, rssMib).changed()) {
          return t;
        }
      }
      return -1;
    }
  }

  @Test
  void cpuIsJudgedOnlyOnceAWholeWindowIsIn() {
    Feed f = new Feed();
    BudgetPolicy.Assessment a = f.run(25, 190, 10);
    assertTrue(Double.isNaN(a.cpuPercent()), "no full window yet");
    assertEquals(BudgetStep.NORMAL, a.step());
    a = f.run(10, 190, 10);
    assertEquals(190, a.cpuPercent(), 0.01);
    assertEquals(BudgetStep.REDUCED, a.step());
    assertEquals("CPU 190% of one core over 30s, budget 50%", a.reason());
  }

  @Test
  void overCpuClimbsOneStepPerWindowThenStaysAtTheTop() {
    Feed f = new Feed();
    f.run(60, 10, 10);
    assertEquals(BudgetStep.NORMAL, f.last.step());
    assertEquals(15, f.untilChange(60, 100, 10), "the 30 s average crosses 50% after 15 s at 100%");
    assertEquals(BudgetStep.REDUCED, f.last.step());
    assertEquals(BudgetStep.NORMAL, f.last.previous());
    assertEquals(30, f.untilChange(120, 100, 10), "one window at REDUCED");
    assertEquals(BudgetStep.SHEDDING, f.last.step());
    assertEquals(30, f.untilChange(120, 100, 10));
    assertEquals(BudgetStep.SHEDDING_MORE, f.last.step());
    assertEquals(-1, f.untilChange(300, 100, 10), "no step above SHEDDING_MORE");
    assertFalse(f.last.memoryOver());
  }

  @Test
  void memoryOverBudgetReducesAtOnceAndSaysSo() {
    Feed f = new Feed();
    BudgetPolicy.Assessment a = f.run(5, 1, 150);
    assertEquals(BudgetStep.REDUCED, a.step());
    assertTrue(a.memoryOver());
    assertEquals("memory: RssAnon 150MiB, budget 100MiB", a.reason());
    // Dropping events would not shrink native memory: memory alone never sheds, however long.
    assertEquals(-1, f.untilChange(3600, 1, 150));
    assertEquals(BudgetStep.REDUCED, f.last.step());
    assertTrue(f.last.memoryOver());
  }

  @Test
  void cpuStillClimbsToSheddingWhileMemoryIsOverToo() {
    Feed f = new Feed();
    f.run(30, 5, 10);
    assertEquals(BudgetStep.REDUCED, f.run(5, 5, 150).step());
    f.run(200, 200, 150);
    assertEquals(BudgetStep.SHEDDING_MORE, f.last.step());
    assertTrue(f.last.memoryOver());
  }

  @Test
  void sheddingEndsWhenCpuRecoversEvenIfMemoryStaysOver() {
    Feed f = new Feed();
    f.run(120, 200, 150);
    assertEquals(BudgetStep.SHEDDING_MORE, f.last.step());
    // CPU in the hysteresis band holds the level, memory or not.
    assertEquals(-1, f.untilChange(300, 45, 150));
    // CPU low, memory still over: the shedding steps answer CPU only, so back one step per quiet
    // period down to REDUCED, which memory then holds.
    assertEquals(65, f.untilChange(200, 0, 150));
    assertEquals(BudgetStep.SHEDDING, f.last.step());
    assertEquals(60, f.untilChange(200, 0, 150));
    assertEquals(BudgetStep.REDUCED, f.last.step());
    assertEquals(-1, f.untilChange(600, 0, 150));
    assertEquals("memory: RssAnon 150MiB, budget 100MiB", f.last.reason());
    // Memory back under 80 %: NORMAL one quiet period after its first sample.
    assertEquals(65, f.untilChange(200, 0, 50));
    assertEquals(BudgetStep.NORMAL, f.last.step());
  }

  @Test
  void bothReasonsAreNamed() {
    Feed f = new Feed();
    f.run(30, 5, 10);
    BudgetPolicy.Assessment a = f.run(30, 200, 120);
    assertEquals(
        "CPU 200% of one core over 30s, budget 50%; memory: RssAnon 120MiB, budget 100MiB",
        a.reason());
  }

  @Test
  void recoveryNeedsUsageUnderEightyPercentForSixtySecondsPerStep() {
    Feed f = new Feed();
    f.run(120, 200, 10);
    assertEquals(BudgetStep.SHEDDING_MORE, f.last.step());
    // 45 % is under budget but above 80 % of it (40 %): the hysteresis band, nothing moves.
    assertEquals(-1, f.untilChange(300, 45, 10));
    assertEquals(BudgetStep.SHEDDING_MORE, f.last.step());
    assertFalse(f.last.reason().isEmpty(), "the reason stays until NORMAL");
    // At 10 % the average is under 40 % from the first sample; 60 s later one step back, then
    // 60 s per step.
    assertEquals(65, f.untilChange(200, 10, 10));
    assertEquals(BudgetStep.SHEDDING, f.last.step());
    assertEquals(60, f.untilChange(200, 10, 10));
    assertEquals(BudgetStep.REDUCED, f.last.step());
    assertEquals(60, f.untilChange(200, 10, 10));
    assertEquals(BudgetStep.NORMAL, f.last.step());
    assertEquals("", f.last.reason());
    assertEquals(-1, f.untilChange(300, 10, 10));
  }

  @Test
  void aSpikeDuringRecoveryRestartsTheQuietPeriod() {
    Feed f = new Feed();
    f.run(40, 200, 10);
    assertEquals(BudgetStep.REDUCED, f.last.step());
    f.run(55, 0, 10); // almost recovered
    f.run(5, 0, 90); // memory at 90 %: above the recovery threshold, under the budget
    assertEquals(BudgetStep.REDUCED, f.last.step());
    assertEquals(
        65, f.untilChange(200, 0, 10), "a whole quiet period again, from its first sample");
    assertEquals(BudgetStep.NORMAL, f.last.step());
  }

  @Test
  void memoryAloneHoldsTheLevelWhileCpuIsIdle() {
    Feed f = new Feed();
    f.run(5, 0, 200);
    assertEquals(BudgetStep.REDUCED, f.last.step());
    f.run(25, 0, 95);
    assertEquals(-1, f.untilChange(600, 0, 95), "95 MiB is within budget but not recovered");
    assertEquals(BudgetStep.REDUCED, f.last.step());
  }

  @Test
  void percentPrintsWholeNumbersWithoutDecimals() {
    assertEquals("50", BudgetPolicy.percent(50));
    assertEquals("12.5", BudgetPolicy.percent(12.5));
  }
}
