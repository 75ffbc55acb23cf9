package io.vigil.agent.sensor.synthetic;

import io.vigil.proto.v1.EventKind;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Picks an event kind by weight. Immutable, thread-safe. */
final class KindPicker {
  private final EventKind[] kinds;
  private final int[] cumulative;
  private final int total;

  KindPicker(Map<EventKind, Integer> weights) {
    // Sorted, so that a seed gives the same kinds whatever the map's iteration order.
    Map<EventKind, Integer> sorted = new TreeMap<>(weights);
    sorted.values().removeIf(w -> w == 0);
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("the mix needs at least one positive weight");
    }
    kinds = sorted.keySet().toArray(new EventKind[0]);
    cumulative = new int[kinds.length];
    int sum = 0;
    int i = 0;
    for (int w : sorted.values()) {
      sum = Math.addExact(sum, w);
      cumulative[i++] = sum;
    }
    total = sum;
  }

  EventKind pick(SplittableRandom random) {
    int r = random.nextInt(total);
    for (int i = 0; i < kinds.length; i++) {
      if (r < cumulative[i]) {
        return kinds[i];
      }
    }
    throw new AssertionError("unreachable: r < total");
  }
}
