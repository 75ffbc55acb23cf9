package io.vigil.agent.config;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * The Chronicle Queue roll cycles that {@code spool.roll_cycle} may name: the constants of {@link
 * RollCycles}, {@link LargeRollCycles}, {@link SparseRollCycles} and {@link TestRollCycles} (short
 * cycles such as {@code TEST_SECONDLY}, useful to exercise rolling and retention). Names are the
 * enum constant names, which are unique across these enums. Immutable.
 */
public final class RollCycleNames {
  static {
    // Chronicle must never phone home; set before any Chronicle class initialises.
    System.setProperty("chronicle.analytics.disable", "true");
  }

  private static final Map<String, RollCycle> BY_NAME = build();

  private RollCycleNames() {}

  private static Map<String, RollCycle> build() {
    Map<String, RollCycle> map = new TreeMap<>();
    for (Enum<?>[] values :
        new Enum<?>[][] {
          RollCycles.values(),
          LargeRollCycles.values(),
          SparseRollCycles.values(),
          TestRollCycles.values()
        }) {
      for (Enum<?> e : values) {
        map.put(e.name(), (RollCycle) e);
      }
    }
    return Collections.unmodifiableMap(map);
  }

  /** The roll cycle with this enum constant name (case-sensitive), if there is one. */
  public static Optional<RollCycle> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Every accepted name with its roll cycle, sorted by name. */
  public static Map<String, RollCycle> all() {
    return BY_NAME;
  }
}
