package io.vigil.agent.sensor;

import io.vigil.common.metrics.Counter;

/**
 * One piece of optional work a sensor gives up while the agent is over budget (see {@link
 * DetailLevel}). The sensor asks {@link #active} where it would do the work and, when it skips it,
 * says so with {@link #skipped}, so that nothing given up is invisible. Thread-safe; neither method
 * locks.
 */
public final class Reduction {
  private final DetailLevel level;
  private final String text;
  private final Counter skipped;

  Reduction(DetailLevel level, String text, Counter skipped) {
    this.level = level;
    this.text = text;
    this.skipped = skipped;
  }

  /** A reduction that is never active (sensors built without a budget). */
  public static Reduction never() {
    return DetailLevel.full().reduction("none", "none");
  }

  /** True while the sensor should skip this work (one volatile read). */
  public boolean active() {
    return level.reduced();
  }

  /** Counts one piece of work skipped ({@code vigil_agent_budget_skipped_total{what}}). */
  public void skipped() {
    skipped.inc();
  }

  /** How many were skipped since the agent started. */
  public long skippedCount() {
    return skipped.get();
  }

  /** What is given up, in an operator's words (for {@code AgentBudget.reductions}). */
  public String text() {
    return text;
  }
}
