package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.Units;
import java.time.Duration;

/**
 * The agent's own resource budget ({@code budget.*}): the CPU and memory it may use before it
 * lowers sensor detail and then drops the least useful events, well below the service unit's hard
 * limits ({@code CPUQuota}, {@code MemoryMax}). Immutable.
 *
 * @param enabled {@code budget.enabled}: false = never lower detail nor drop for the budget, and no
 *     {@code AgentStatus.budget}
 * @param cpuPercent {@code budget.cpu}: percent of one core, averaged over {@code window} (200 =
 *     two cores busy)
 * @param memoryBytes {@code budget.memory}: anonymous resident memory ({@code RssAnon}: heap,
 *     stacks, direct buffers; not the spool's mapped files)
 * @param window {@code budget.window}: the CPU averaging window, and how long the agent stays over
 *     budget at one level before it gives up more
 * @param interval {@code budget.interval}: how often usage is sampled
 * @param recoverBelowPercent {@code budget.recover_below}: usage under this percentage of both
 *     budgets counts as recovered (the hysteresis band: entering is at 100 %)
 * @param recoverAfter {@code budget.recover_after}: recovered usage for this long moves back one
 *     level
 */
public record BudgetSection(
    boolean enabled,
    double cpuPercent,
    long memoryBytes,
    Duration window,
    Duration interval,
    double recoverBelowPercent,
    Duration recoverAfter) {

  static final String DEFAULT_MEMORY = "256MiB";

  /** Defaults, as {@code budget:} left out gives them. */
  public static BudgetSection defaults() {
    return new BudgetSection(
        true,
        50,
        Units.parseBytes(DEFAULT_MEMORY),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        80,
        Duration.ofSeconds(60));
  }

  /**
   * The largest {@code budget.cpu}: 64 cores. A fixed bound, not the host's core count, so that one
   * fleet-wide value is valid on every host (a value the host cannot reach only means the budget
   * never binds there; the agent logs a warning at start).
   */
  public static final double MAX_CPU_PERCENT = 6400;

  static BudgetSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    double cpu = node.number("cpu", 50, 0, MAX_CPU_PERCENT);
    if (cpu <= 0) {
      node.error(
          "cpu",
          "must be greater than 0 (percent of one core; at most " + (long) MAX_CPU_PERCENT + ")");
      cpu = 50;
    }
    long memory = node.bytes("memory", DEFAULT_MEMORY, 16L << 20, 1L << 40);
    Duration window = node.duration("window", "30s", Duration.ofSeconds(1), Duration.ofHours(1));
    Duration interval =
        node.duration("interval", "5s", Duration.ofMillis(100), Duration.ofMinutes(5));
    if (interval.compareTo(window) > 0) {
      node.error(
          "interval",
          "must not be longer than budget.window ("
              + Units.formatDuration(window)
              + "): the CPU average needs at least two samples per window");
      interval = window;
    }
    double recoverBelow = node.number("recover_below", 80, 10, 99);
    Duration recoverAfter =
        node.duration("recover_after", "60s", Duration.ofSeconds(1), Duration.ofHours(24));
    return new BudgetSection(enabled, cpu, memory, window, interval, recoverBelow, recoverAfter);
  }
}
