package io.vigil.detect.correlation;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link CorrelationEngine}. {@code lateness}: how long after a source's newest event
 * an older input of that source is still accepted and put in order (later ones are dropped and
 * counted). {@code maxGroups}: open groups over all correlations (least recently touched evicted).
 * {@code maxInputsPerGroup}: window inputs one group holds (oldest evicted). Immutable.
 */
public record CorrelationOptions(Duration lateness, int maxGroups, int maxInputsPerGroup) {
  public CorrelationOptions {
    Objects.requireNonNull(lateness);
    if (lateness.isNegative() || lateness.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("lateness must be between 0 and 1 day: " + lateness);
    }
    if (maxGroups < 1 || maxInputsPerGroup < 1) {
      throw new IllegalArgumentException("maxGroups and maxInputsPerGroup must be at least 1");
    }
  }

  /** 60 s lateness, 100 000 groups, 10 000 inputs per group. */
  public static CorrelationOptions defaults() {
    return new CorrelationOptions(Duration.ofSeconds(60), 100_000, 10_000);
  }
}
