package io.vigil.agent.budget;

import io.vigil.agent.pipeline.ShedOrder;
import io.vigil.proto.v1.AgentBudget;

/**
 * How much the agent gives up to stay within its budget, one step at a time: it climbs one step
 * when still over budget a window after the last change (past REDUCED for CPU only), and climbs
 * down one when usage stayed under the recovery threshold long enough.
 */
public enum BudgetStep {
  /** Every sensor at full detail, nothing dropped. */
  NORMAL(AgentBudget.Level.LEVEL_NORMAL, false, ShedOrder.NONE),
  /** Sensors at reduced detail, nothing dropped. */
  REDUCED(AgentBudget.Level.LEVEL_REDUCED, true, ShedOrder.NONE),
  /** Reduced detail, and the lowest-value events dropped. */
  SHEDDING(AgentBudget.Level.LEVEL_SHEDDING, true, ShedOrder.LOW_VALUE),
  /** Reduced detail, and more kinds dropped (never process, audit, integrity or agent events). */
  SHEDDING_MORE(AgentBudget.Level.LEVEL_SHEDDING, true, ShedOrder.MORE);

  private final AgentBudget.Level level;
  private final boolean reducedDetail;
  private final int shedTier;

  BudgetStep(AgentBudget.Level level, boolean reducedDetail, int shedTier) {
    this.level = level;
    this.reducedDetail = reducedDetail;
    this.shedTier = shedTier;
  }

  /** The level reported in {@code AgentBudget.level}. */
  public AgentBudget.Level level() {
    return level;
  }

  /** True when sensors give up optional detail at this step. */
  public boolean reducedDetail() {
    return reducedDetail;
  }

  /** The pipeline's {@link ShedOrder} tier at this step. */
  public int shedTier() {
    return shedTier;
  }

  BudgetStep up() {
    return this == SHEDDING_MORE ? this : values()[ordinal() + 1];
  }

  BudgetStep down() {
    return this == NORMAL ? this : values()[ordinal() - 1];
  }
}
