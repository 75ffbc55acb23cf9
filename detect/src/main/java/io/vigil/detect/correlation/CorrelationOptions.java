package io.vigil.detect.correlation;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link CorrelationEngine}. {@code lateness}: how long after a source's newest event
 * an older input of that source is still accepted and put in order (later ones are dropped and
 * counted). {@code maxGroups}: open groups over all correlations (least recently touched evicted).
 * {@code maxInputsPerGroup}: window inputs one group holds (oldest evicted). {@code maxHeldInputs}:
 * inputs held in groups and waiting in source buffers together (least recently touched groups
 * evicted; buffered inputs beyond it refused). Immutable.
 */
public record CorrelationOptions(
    Duration lateness, int maxGroups, int maxInputsPerGroup, long maxHeldInputs) {
  /** The default of {@code maxHeldInputs}. */
  public static final long DEFAULT_MAX_HELD_INPUTS = 1_000_000;

  public CorrelationOptions {
    Objects.requireNonNull(lateness);
    if (lateness.isNegative() || lateness.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("lateness must be between 0 and 1 day: " + lateness);
    }
    if (maxGroups < 1 || maxInputsPerGroup < 1 || maxHeldInputs < 1) {
      throw new IllegalArgumentException(
          "maxGroups, maxInputsPerGroup and maxHeldInputs must be at least 1");
    }
  }

  /** With the default {@code maxHeldInputs} ({@value #DEFAULT_MAX_HELD_INPUTS}). */
  public CorrelationOptions(Duration lateness, int maxGroups, int maxInputsPerGroup) {
    this(lateness, maxGroups, maxInputsPerGroup, DEFAULT_MAX_HELD_INPUTS);
  }

  /** 60 s lateness, 100 000 groups, 10 000 inputs per group, 1 000 000 held inputs. */
  public static CorrelationOptions defaults() {
    return new CorrelationOptions(Duration.ofSeconds(60), 100_000, 10_000);
  }
}
