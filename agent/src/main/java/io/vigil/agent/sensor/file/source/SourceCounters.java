package io.vigil.agent.sensor.file.source;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named counters of a source, written by its polling thread and read by the metrics thread.
 * Counters are registered once, in the order {@link #snapshot} lists them.
 */
final class SourceCounters {
  private final Map<String, AtomicLong> counters = new LinkedHashMap<>();

  /** Registers (or returns) the counter {@code name}. Only during construction of the source. */
  AtomicLong counter(String name) {
    return counters.computeIfAbsent(name, n -> new AtomicLong());
  }

  /** Current values, in registration order. */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return Collections.unmodifiableMap(out);
  }
}
