package io.vigil.agent.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * Where the spool lives and how much disk it may use.
 *
 * @param dir spool directory (created with mode 0700)
 * @param maxBytes cap on allocated disk bytes of the whole directory; the cycle being written is
 *     never deleted, so the spool can exceed the cap by up to one cycle's worth
 * @param rollCycle a Chronicle roll-cycle enum name, see {@link #rollCycleNames()}; one cycle file
 *     is the unit of deletion, so pick a cycle much smaller than {@code maxBytes}
 * @param retention acknowledged cycle files last written longer ago than this are deleted
 */
public record SpoolOptions(Path dir, long maxBytes, String rollCycle, Duration retention) {
  static {
    ChronicleSettings.apply(); // before the roll-cycle enums load Chronicle classes
  }

  private static final Map<String, RollCycle> ROLL_CYCLES = rollCycles();

  public SpoolOptions {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(retention, "retention");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    if (!ROLL_CYCLES.containsKey(rollCycle)) {
      throw new IllegalArgumentException(
          "unknown roll cycle " + rollCycle + "; one of " + ROLL_CYCLES.keySet());
    }
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive: " + retention);
    }
  }

  /**
   * Roll-cycle names this spool accepts: Chronicle's {@code RollCycles} and {@code
   * LargeRollCycles}, plus the second-level {@code TEST_SECONDLY}/{@code TEST4_SECONDLY} cycles,
   * which are meant for tests that need many cycle files quickly.
   */
  public static Set<String> rollCycleNames() {
    return ROLL_CYCLES.keySet();
  }

  RollCycle chronicleRollCycle() {
    return ROLL_CYCLES.get(rollCycle);
  }

  private static Map<String, RollCycle> rollCycles() {
    Map<String, RollCycle> m = new LinkedHashMap<>();
    for (RollCycles c : RollCycles.values()) {
      m.put(c.name(), c);
    }
    for (LargeRollCycles c : LargeRollCycles.values()) {
      m.put(c.name(), c);
    }
    m.put(TestRollCycles.TEST_SECONDLY.name(), TestRollCycles.TEST_SECONDLY);
    m.put(TestRollCycles.TEST4_SECONDLY.name(), TestRollCycles.TEST4_SECONDLY);
    return Collections.unmodifiableMap(m);
  }
}
