package io.vigil.agent.status;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TamperNotice;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits an {@code AgentStatus} event at start and then every interval, on its own thread. The
 * counters are read from the metrics registry, so the status event and the Prometheus endpoint
 * always agree. A tamper notice reported to its {@link TamperOutbox} makes it emit a status at once
 * with every waiting notice; the first status also carries how the previous run ended ({@code
 * start}), and a budget level change ({@link #emitSoon}) one at once too. Notices, {@code start}
 * and a level change leave only in a status the pipeline accepted: when it refuses one (queue full,
 * likely while the agent sheds), they go in the next, tried again after a second. A status that
 * cannot be built (its counters or {@code /proc} unreadable) keeps them for the next regular tick,
 * without a retry, which would only fail and log again every second.
 */
public final class StatusReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

  private final EventSink sink;
  private final MetricsRegistry metrics;
  private final Supplier<List<SensorState>> sensors;
  private final Supplier<List<CaptureCounters>> captures;
  private final HostInfo host;
  private final Supplier<Optional<AgentBudget>> budget;
  private final ProcessSelfStats self = new ProcessSelfStats();
  private final long startedNanos = System.nanoTime();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "vigil-status");
            t.setDaemon(true);
            return t;
          });
  private final TamperOutbox tampers;
  private final AtomicBoolean urgentQueued = new AtomicBoolean();
  // A budget level change not yet in an accepted status.
  private final AtomicBoolean levelChangeOwed = new AtomicBoolean();
  private ProcessSelfStats.Sample previous;
  // Only the timer thread touches it after start.
  private AgentStart start;

  public StatusReporter(
      EventSink sink, MetricsRegistry metrics, Supplier<List<SensorState>> sensors, HostInfo host) {
    this(sink, metrics, sensors, List::of, host, new TamperOutbox(), Optional.empty());
  }

  /**
   * @param captures the packet sensor's counters per interface ({@code AgentStatus.captures}), read
   *     at each status
   */
  public StatusReporter(
      EventSink sink,
      MetricsRegistry metrics,
      Supplier<List<SensorState>> sensors,
      Supplier<List<CaptureCounters>> captures,
      HostInfo host) {
    this(sink, metrics, sensors, captures, host, new TamperOutbox(), Optional.empty());
  }

  /**
   * @param tampers the notices to send; each report makes this reporter emit a status at once
   * @param start how the previous run ended, for the first status (empty: no {@code start})
   */
  public StatusReporter(
      EventSink sink,
      MetricsRegistry metrics,
      Supplier<List<SensorState>> sensors,
      Supplier<List<CaptureCounters>> captures,
      HostInfo host,
      TamperOutbox tampers,
      Optional<AgentStart> start) {
    this(sink, metrics, sensors, captures, host, tampers, start, Optional::empty);
  }

  /**
   * @param budget the agent's budget for {@code AgentStatus.budget}, read at each status (empty:
   *     budgets are off)
   */
  public StatusReporter(
      EventSink sink,
      MetricsRegistry metrics,
      Supplier<List<SensorState>> sensors,
      Supplier<List<CaptureCounters>> captures,
      HostInfo host,
      TamperOutbox tampers,
      Optional<AgentStart> start,
      Supplier<Optional<AgentBudget>> budget) {
    this.budget = budget;
    this.sink = sink;
    this.tampers = tampers;
    this.start = start.orElse(null);
    this.metrics = metrics;
    this.sensors = sensors;
    this.captures = captures;
    this.host = host;
  }

  /** Emits the first status at once, then one every {@code interval}, and one per tamper report. */
  public void start(Duration interval) {
    tampers.onReport(() -> urgent(0));
    // The first status also takes the notices reported before the reporter started.
    timer.scheduleAtFixedRate(this::emitSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Emits a status soon, on the reporter's thread (the budget level changed). Never blocks; calls
   * made while one is waiting are merged into it.
   */
  public void emitSoon() {
    levelChangeOwed.set(true);
    urgent(0);
  }

  /**
   * Queues one status on the timer thread unless one is queued already: a check that reports three
   * notices in a row sends them in one status.
   */
  private void urgent(long delayMs) {
    if (!urgentQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      timer.schedule(
          () -> {
            urgentQueued.set(false);
            emitSafely();
          },
          delayMs,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      urgentQueued.set(false); // closed: what is waiting stays in the outbox
    }
  }

  private void emitSafely() {
    List<TamperNotice> notices = tampers.take();
    boolean levelChange = levelChangeOwed.getAndSet(false);
    boolean refused = false;
    try {
      AgentStatus.Builder s = build().toBuilder().addAllTampers(notices);
      if (start != null) {
        s.setStart(start);
      }
      boolean sent =
          sink.offer(
              Event.newBuilder()
                  .setEventTimeNs(WallClock.nowNanos())
                  .setSensor("agent")
                  .setAgentStatus(s));
      if (sent) {
        start = null;
        return;
      }
      refused = true;
    } catch (IOException | RuntimeException e) {
      // A status that cannot be built is logged, and the next one is tried at the next tick: not
      // sooner, as what failed (e.g. an unreadable /proc) likely fails again a second later.
      log.warn("cannot build agent status: {}", e.toString());
    }
    // What this status carried goes in the next one.
    tampers.putBack(notices);
    if (levelChange) {
      levelChangeOwed.set(true);
    }
    if (refused && (!notices.isEmpty() || levelChange || start != null)) {
      urgent(1000);
    }
  }

  /** The status as of now. */
  AgentStatus build() throws IOException {
    ProcessSelfStats.Sample now = self.sample();
    double cpu = previous == null ? 0 : ProcessSelfStats.cpuPercentSince(previous, now);
    previous = now;
    AgentStatus.Builder status =
        AgentStatus.newBuilder()
            .setCounters(counters())
            .setCpuPercent(cpu)
            .setRssBytes(now.rssBytes())
            .setRssAnonBytes(now.rssAnonBytes())
            .addAllSensors(sensors.get())
            .addAllCaptures(captures.get())
            .setHost(host)
            .setSpoolBytes((long) metrics.value("vigil_agent_spool_bytes"))
            .setUptimeNs(System.nanoTime() - startedNanos);
    budget.get().ifPresent(status::setBudget);
    return status.build();
  }

  private AgentCounters counters() {
    AgentCounters.Builder c =
        AgentCounters.newBuilder()
            .setProduced(metrics.total("vigil_agent_events_produced_total"))
            .setSpooled(metrics.total("vigil_agent_events_spooled_total"))
            .setSent(metrics.total("vigil_agent_events_sent_total"))
            .setAcked(metrics.total("vigil_agent_events_acked_total"))
            .setLostUnacked(metrics.total("vigil_agent_events_lost_unacked_total"));
    for (Map.Entry<String, Long> e :
        metrics.countersByLabel("vigil_agent_events_dropped_total").entrySet()) {
      c.putDropped(reasonOf(e.getKey()), e.getValue());
    }
    return c.build();
  }

  /** {@code reason="queue_full"} → {@code queue_full}. */
  static String reasonOf(String labelText) {
    int q = labelText.indexOf('"');
    return q < 0 ? labelText : labelText.substring(q + 1, labelText.lastIndexOf('"'));
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
