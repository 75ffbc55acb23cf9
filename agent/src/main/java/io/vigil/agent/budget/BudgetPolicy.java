package io.vigil.agent.budget;

import io.vigil.agent.config.BudgetSection;
import io.vigil.agent.pipeline.ShedOrder;
import io.vigil.common.config.Units;
import io.vigil.common.proc.ProcessSelfStats;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;

/**
 * Decides the {@link BudgetStep} from samples of the agent's CPU time and anonymous resident
 * memory. Pure: time is the samples' monotonic clock, so tests feed made-up samples.
 *
 * <p>CPU is the average over {@code budget.window} (judged only once a whole window of samples is
 * in, so the JIT's burst at start-up does not count); memory is the latest {@code RssAnon}. Over
 * budget means either above its budget. The first time, the agent reduces detail at once; each
 * further step needs CPU still over budget a whole window after the last change, so the average it
 * is judged on was measured at the current step. Memory alone never climbs past {@link
 * BudgetStep#REDUCED}: the JVM heap is capped, so {@code RssAnon} over budget is native growth that
 * dropping events would not shrink, and shedding for it could last until a restart. Hysteresis: the
 * agent steps back one level only after usage stayed under {@code recover_below} percent of the
 * budget for {@code recover_after} (and at least that long since the last change) – CPU alone for
 * the shedding steps, CPU and memory for REDUCED; between that and the budget nothing changes.
 *
 * <p>Not thread-safe: the controller's thread owns it.
 */
public final class BudgetPolicy {
  /**
   * The outcome of one sample.
   *
   * @param step the step to be at now
   * @param changed true when {@code step} differs from the one before this sample
   * @param previous the step before this sample
   * @param cpuPercent CPU in percent of one core over the window; NaN until a whole window is in
   * @param rssAnonBytes RssAnon of this sample
   * @param memoryOver true when memory is over its budget now
   * @param reason why the agent is above NORMAL (the last over-budget finding); empty at NORMAL
   */
  public record Assessment(
      BudgetStep step,
      boolean changed,
      BudgetStep previous,
      double cpuPercent,
      long rssAnonBytes,
      boolean memoryOver,
      String reason) {}

  private final BudgetSection budget;
  private final long windowNanos;
  private final long recoverAfterNanos;
  private final Deque<ProcessSelfStats.Sample> samples = new ArrayDeque<>();
  private BudgetStep step = BudgetStep.NORMAL;
  private long stepSince = Long.MIN_VALUE;
  private long underSince = Long.MIN_VALUE;
  private String reason = "";

  public BudgetPolicy(BudgetSection budget) {
    this.budget = budget;
    this.windowNanos = budget.window().toNanos();
    this.recoverAfterNanos = budget.recoverAfter().toNanos();
  }

  /** Takes one sample (monotonic times must not go back) and decides. */
  public Assessment observe(ProcessSelfStats.Sample s) {
    long now = s.monotonicNanos();
    if (stepSince == Long.MIN_VALUE) {
      stepSince = now;
    }
    double cpu = cpuOverWindow(s);
    boolean cpuOver = !Double.isNaN(cpu) && cpu > budget.cpuPercent();
    boolean memoryOver = s.rssAnonBytes() > budget.memoryBytes();
    double below = budget.recoverBelowPercent() / 100.0;
    boolean cpuUnder = Double.isNaN(cpu) || cpu < budget.cpuPercent() * below;
    boolean memoryUnder = s.rssAnonBytes() < budget.memoryBytes() * below;
    BudgetStep before = step;
    if (cpuOver || memoryOver) {
      reason = reason(cpu, cpuOver, s.rssAnonBytes(), memoryOver);
    }
    if (cpuOver) {
      underSince = Long.MIN_VALUE;
      if (step == BudgetStep.NORMAL || now - stepSince >= windowNanos) {
        step = step.up();
      }
    } else if (memoryOver && step == BudgetStep.NORMAL) {
      // Memory alone never goes past REDUCED: the heap is capped, so RssAnon over budget is native
      // growth, which dropping events does not shrink.
      underSince = Long.MIN_VALUE;
      step = BudgetStep.REDUCED;
    } else if (mayStepDown(cpuUnder, memoryUnder)) {
      if (underSince == Long.MIN_VALUE) {
        underSince = now;
      }
      if (now - underSince >= recoverAfterNanos && now - stepSince >= recoverAfterNanos) {
        step = step.down();
        underSince = now; // each step back needs its own quiet period
      }
    } else {
      underSince = Long.MIN_VALUE; // in the hysteresis band, or memory holds REDUCED: stay
    }
    if (step != before) {
      stepSince = now;
    }
    if (step == BudgetStep.NORMAL) {
      reason = "";
    }
    return new Assessment(step, step != before, before, cpu, s.rssAnonBytes(), memoryOver, reason);
  }

  /**
   * True when usage allows one step back: the shedding steps answer CPU only, so CPU under the
   * recovery threshold is enough to leave them; REDUCED also needs memory under it.
   */
  private boolean mayStepDown(boolean cpuUnder, boolean memoryUnder) {
    if (step == BudgetStep.NORMAL || !cpuUnder) {
      return false;
    }
    return step.shedTier() != ShedOrder.NONE || memoryUnder;
  }

  /**
   * CPU over the last window: from the newest sample at least a window old to {@code s}; NaN while
   * no sample is that old.
   */
  private double cpuOverWindow(ProcessSelfStats.Sample s) {
    samples.addLast(s);
    long cutoff = s.monotonicNanos() - windowNanos;
    // Drop the oldest while the next one is old enough to start the window by itself.
    while (samples.size() > 2) {
      Iterator<ProcessSelfStats.Sample> it = samples.iterator();
      it.next();
      if (it.next().monotonicNanos() <= cutoff) {
        samples.removeFirst();
      } else {
        break;
      }
    }
    ProcessSelfStats.Sample first = samples.peekFirst();
    if (first == s || first.monotonicNanos() > cutoff) {
      return Double.NaN;
    }
    return ProcessSelfStats.cpuPercentSince(first, s);
  }

  private String reason(double cpu, boolean cpuOver, long rssAnon, boolean memoryOver) {
    StringBuilder b = new StringBuilder();
    if (cpuOver) {
      b.append(
          String.format(
              Locale.ROOT,
              "CPU %s%% of one core over %s, budget %s%%",
              cpu < 10
                  ? String.format(Locale.ROOT, "%.1f", cpu)
                  : String.format(Locale.ROOT, "%.0f", cpu),
              Units.formatDuration(budget.window()),
              percent(budget.cpuPercent())));
    }
    if (memoryOver) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append("memory: RssAnon ")
          .append(Units.formatBytes(rssAnon))
          .append(", budget ")
          .append(Units.formatBytes(budget.memoryBytes()));
    }
    return b.toString();
  }

  /** 50.0 → "50", 12.5 → "12.5". */
  static String percent(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.1f", p);
  }
}
