package io.vigil.agent.budget;

import io.vigil.agent.config.BudgetSection;
import io.vigil.agent.pipeline.Pipeline;
import io.vigil.agent.pipeline.ShedOrder;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.common.config.Units;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentBudget;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent within its CPU and memory budget: samples its own CPU time and {@code RssAnon}
 * every {@code budget.interval} on its own daemon thread ({@code vigil-budget}), lets {@link
 * BudgetPolicy} decide the step, and applies it: the sensors' {@link DetailLevel}, the pipeline's
 * shedding tier, and while memory is over budget the pipeline's smaller queue bound (memory alone
 * never makes it shed events: see {@link BudgetPolicy}). Logs each change (WARN climbing, INFO
 * coming back) and calls the change listener, so the status goes out at once.
 *
 * <p>Thread-safe: {@link #snapshot} may be called from any thread.
 */
public final class BudgetController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BudgetController.class);

  /** What {@link #snapshot} reports; replaced whole by the controller thread. */
  private record State(
      BudgetStep step, long sinceNs, String reason, double cpu, long rss, long episodes) {}

  private final BudgetSection config;
  private final BudgetPolicy policy;
  private final DetailLevel detail;
  private final Pipeline pipeline;
  private final ProcessSelfStats self;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vigil-budget");
            t.setDaemon(true);
            return t;
          });
  private volatile State state;
  private volatile Runnable onChange = () -> {};
  private boolean sampleFailureLogged;

  /**
   * @param detail switched to reduced while above NORMAL
   * @param pipeline sheds at the SHEDDING steps
   */
  public BudgetController(
      BudgetSection config, DetailLevel detail, Pipeline pipeline, MetricsRegistry metrics) {
    this(config, detail, pipeline, metrics, new ProcessSelfStats());
  }

  BudgetController(
      BudgetSection config,
      DetailLevel detail,
      Pipeline pipeline,
      MetricsRegistry metrics,
      ProcessSelfStats self) {
    this.config = config;
    this.policy = new BudgetPolicy(config);
    this.detail = detail;
    this.pipeline = pipeline;
    this.self = self;
    this.state = new State(BudgetStep.NORMAL, WallClock.nowNanos(), "", 0, 0, 0);
    metrics.gauge(
        "vigil_agent_budget_level",
        "The agent's budget level: 1 normal, 2 reduced detail, 3 shedding events.",
        () -> state.step().level().getNumber());
    metrics.gauge(
        "vigil_agent_budget_cpu_percent",
        "The agent's CPU over budget.window, percent of one core (0 until a window is in).",
        () -> state.cpu());
    metrics.gauge(
        "vigil_agent_budget_rss_anon_bytes",
        "The agent's anonymous resident memory at the last budget sample.",
        () -> state.rss());
  }

  /**
   * Starts sampling.
   *
   * @param onChange called on the controller thread after each level change (must not block)
   */
  public void start(Runnable onChange) {
    this.onChange = onChange;
    long every = config.interval().toMillis();
    timer.scheduleAtFixedRate(this::sampleSafely, every, every, TimeUnit.MILLISECONDS);
    log.info(
        "budget: CPU {}% of one core over {}, memory {} RssAnon",
        BudgetPolicy.percent(config.cpuPercent()),
        Units.formatDuration(config.window()),
        Units.formatBytes(config.memoryBytes()));
    cpuBeyondCores(config.cpuPercent(), Runtime.getRuntime().availableProcessors())
        .ifPresent(log::warn);
  }

  /**
   * A warning when the CPU budget is more than {@code cores} (what the JVM may use here, CPUQuota
   * included) can give: valid, since one fleet-wide value must be, but it never binds on this host.
   */
  static Optional<String> cpuBeyondCores(double cpuPercent, int cores) {
    if (cpuPercent <= 100.0 * cores) {
      return Optional.empty();
    }
    return Optional.of(
        "budget: budget.cpu "
            + BudgetPolicy.percent(cpuPercent)
            + "% of one core is more than the "
            + cores
            + (cores == 1 ? " core" : " cores")
            + " available here ("
            + 100 * cores
            + "%): the CPU budget never binds on this host");
  }

  /** One sample and its decision; the timer calls it, tests call it directly. */
  void sampleSafely() {
    ProcessSelfStats.Sample s;
    try {
      s = self.sample();
    } catch (IOException | RuntimeException e) {
      // Without /proc the agent cannot judge itself: it stays at the level it is at, and says so
      // once rather than every interval.
      if (!sampleFailureLogged) {
        log.warn("budget: cannot read the agent's own usage, level unchanged: {}", e.toString());
        sampleFailureLogged = true;
      }
      return;
    }
    apply(policy.observe(s));
  }

  private void apply(BudgetPolicy.Assessment a) {
    State before = state;
    BudgetStep step = a.step();
    detail.reduce(step.reducedDetail());
    pipeline.shed(step.shedTier(), a.memoryOver());
    double cpu = Double.isNaN(a.cpuPercent()) ? 0 : a.cpuPercent();
    long episodes = before.episodes() + (a.changed() && a.previous() == BudgetStep.NORMAL ? 1 : 0);
    long since = a.changed() ? WallClock.nowNanos() : before.sinceNs();
    state = new State(step, since, a.reason(), cpu, a.rssAnonBytes(), episodes);
    if (!a.changed()) {
      return;
    }
    if (step.ordinal() > a.previous().ordinal()) {
      log.warn(
          "budget: {} -> {} ({}): {}",
          a.previous(),
          step,
          a.reason(),
          reductions(step).isEmpty()
              ? "no sensor running has detail to give up"
              : String.join("; ", reductions(step)));
    } else {
      log.info(
          "budget: back from {} to {} (usage under {}% of the budget for {})",
          a.previous(),
          step,
          BudgetPolicy.percent(config.recoverBelowPercent()),
          Units.formatDuration(config.recoverAfter()));
    }
    try {
      onChange.run();
    } catch (RuntimeException e) {
      log.warn("budget: change listener failed: {}", e.toString());
    }
  }

  private List<String> reductions(BudgetStep step) {
    List<String> out = new ArrayList<>(detail.activeReductions());
    if (step.shedTier() != ShedOrder.NONE) {
      out.add(ShedOrder.describe(step.shedTier()));
    }
    return out;
  }

  /** The budget as {@code AgentStatus.budget} reports it now. */
  public AgentBudget snapshot() {
    State s = state;
    return AgentBudget.newBuilder()
        .setLevel(s.step().level())
        .setSinceNs(s.sinceNs())
        .setReason(s.reason())
        .setCpuBudgetPercent(config.cpuPercent())
        .setMemoryBudgetBytes(config.memoryBytes())
        .setCpuPercent(s.cpu())
        .setRssAnonBytes(s.rss())
        .addAllReductions(reductions(s.step()))
        .setShedEvents(pipeline.shedCount())
        .setEpisodes(s.episodes())
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
