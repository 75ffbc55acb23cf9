package io.vigil.collector.sink;

import java.time.Duration;
import java.util.Objects;

/**
 * One configured sink ({@code sinks.NAME.*}). Immutable; validated when the configuration is bound.
 *
 * @param name the sink's name: its cursor's key in the store and its metrics label
 * @param filter which alerts it delivers ({@code min_level}, {@code tags}, {@code sources})
 * @param batchMax most alerts handed to the sender at once ({@code batch_max}, default 100)
 * @param retryInitial the first wait after a failed delivery ({@code retry_initial}, default 1s)
 * @param retryMax the longest wait between attempts ({@code retry_max}, default 5m)
 * @param maxBacklog how many alerts the sink may fall behind the newest before the oldest
 *     undelivered ones are skipped ({@code max_backlog}, default 100000)
 * @param startOldest {@code start: oldest}: a sink without a cursor delivers every stored alert;
 *     otherwise ({@code now}, the default) it starts after the newest
 * @param destination where it delivers to
 */
public record SinkSettings(
    String name,
    AlertFilter filter,
    int batchMax,
    Duration retryInitial,
    Duration retryMax,
    long maxBacklog,
    boolean startOldest,
    SinkDestination destination) {
  public SinkSettings {
    Objects.requireNonNull(name);
    Objects.requireNonNull(filter);
    Objects.requireNonNull(retryInitial);
    Objects.requireNonNull(retryMax);
    Objects.requireNonNull(destination);
    if (batchMax < 1 || maxBacklog < 1) {
      throw new IllegalArgumentException("batch_max and max_backlog must be positive");
    }
  }
}
