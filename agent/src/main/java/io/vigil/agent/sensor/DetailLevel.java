package io.vigil.agent.sensor;

import io.vigil.common.metrics.MetricsRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether sensors work at full detail or give up their optional, costly work because the agent is
 * over its resource budget ({@code io.vigil.agent.budget}). Each sensor registers what it gives up
 * as a {@link Reduction} and asks it per event; the budget controller switches the level.
 *
 * <p>Thread-safe. {@link Reduction#active} is one volatile read: no lock on a sensor's hot path.
 */
public final class DetailLevel {
  private final MetricsRegistry metrics;
  private final List<Reduction> registered = new CopyOnWriteArrayList<>();
  private volatile boolean reduced;

  /**
   * @param metrics where each reduction counts what it skipped
   */
  public DetailLevel(MetricsRegistry metrics) {
    this.metrics = metrics;
  }

  /** A level that stays at full detail, for sensors built without a budget (tests, tools). */
  public static DetailLevel full() {
    return new DetailLevel(new MetricsRegistry());
  }

  /**
   * Registers one thing a sensor gives up at reduced detail.
   *
   * @param what short name for the metric label ({@code vigil_agent_budget_skipped_total{what}}),
   *     e.g. {@code packet_app_parsing}
   * @param text what it means to an operator, e.g. "packet: flows only, no DNS/HTTP/TLS parsing"
   */
  public Reduction reduction(String what, String text) {
    Reduction r =
        new Reduction(
            this,
            text,
            metrics.counter(
                "vigil_agent_budget_skipped_total",
                "Work sensors skipped at reduced detail to stay within the agent's budget.",
                "what",
                what));
    registered.add(r);
    return r;
  }

  /** Switches every registered reduction on (true) or off. */
  public void reduce(boolean on) {
    reduced = on;
  }

  /** True while sensors work at reduced detail. */
  public boolean reduced() {
    return reduced;
  }

  /** The texts of the reductions that apply now; empty at full detail. */
  public List<String> activeReductions() {
    if (!reduced) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Reduction r : registered) {
      out.add(r.text());
    }
    return out;
  }
}
