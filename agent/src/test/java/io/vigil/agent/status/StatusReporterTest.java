package io.vigil.agent.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SensorState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StatusReporterTest {
  @Test
  void statusCarriesTheCountersOfEveryHopAndTheAgentsOwnResources() throws Exception {
    MetricsRegistry m = new MetricsRegistry();
    m.counter("vigil_agent_events_produced_total", "").add(10);
    m.counter("vigil_agent_events_dropped_total", "", "reason", "queue_full").add(3);
    m.counter("vigil_agent_events_spooled_total", "").add(7);
    m.counter("vigil_agent_events_sent_total", "").add(6);
    m.counter("vigil_agent_events_acked_total", "").add(5);
    m.gauge("vigil_agent_spool_bytes", "", () -> 4096);
    BlockingQueue<Event> emitted = new LinkedBlockingQueue<>();
    EventSink sink = sinkInto(emitted, new AtomicInteger());
    SensorState synthetic = SensorState.newBuilder().setName("synthetic").setSource("s").build();
    HostInfo host = HostInfo.newBuilder().setHostname("h1").build();
    CaptureCounters lo =
        CaptureCounters.newBuilder().setInterface("lo").setReceived(12).setFlows(2).build();
    try (StatusReporter r =
        new StatusReporter(sink, m, () -> List.of(synthetic), () -> List.of(lo), host)) {
      r.start(Duration.ofHours(1)); // the first status goes out at once
      Event e = emitted.poll(30, TimeUnit.SECONDS);
      AgentStatus s = e.getAgentStatus();
      assertEquals(10, s.getCounters().getProduced());
      assertEquals(3, s.getCounters().getDroppedOrThrow("queue_full"));
      assertEquals(7, s.getCounters().getSpooled());
      assertEquals(6, s.getCounters().getSent());
      assertEquals(5, s.getCounters().getAcked());
      assertEquals(4096, s.getSpoolBytes());
      assertEquals(List.of(synthetic), s.getSensorsList());
      assertEquals(List.of(lo), s.getCapturesList());
      assertEquals("h1", s.getHost().getHostname());
      assertTrue(s.getRssBytes() > 0 && s.getRssAnonBytes() > 0);
      assertTrue(s.getRssAnonBytes() <= s.getRssBytes());
      assertTrue(e.getEventTimeNs() > 0);
    }
  }

  @Test
  void theBudgetGoesInEveryStatusAndALevelChangeSendsOneAtOnce() throws Exception {
    BlockingQueue<Event> emitted = new LinkedBlockingQueue<>();
    EventSink sink = sinkInto(emitted, new AtomicInteger());
    AtomicReference<AgentBudget> budget =
        new AtomicReference<>(
            AgentBudget.newBuilder().setLevel(AgentBudget.Level.LEVEL_NORMAL).build());
    try (StatusReporter r = reporterWithBudget(sink, budget)) {
      r.start(Duration.ofHours(1));
      Event first = emitted.poll(30, TimeUnit.SECONDS);
      assertEquals(AgentBudget.Level.LEVEL_NORMAL, first.getAgentStatus().getBudget().getLevel());
      budget.set(
          AgentBudget.newBuilder()
              .setLevel(AgentBudget.Level.LEVEL_REDUCED)
              .setReason("CPU 71% of one core over 30s, budget 50%")
              .build());
      r.emitSoon(); // long before the next tick, an hour away
      Event second = emitted.poll(30, TimeUnit.SECONDS);
      assertEquals(AgentBudget.Level.LEVEL_REDUCED, second.getAgentStatus().getBudget().getLevel());
      assertEquals(
          "CPU 71% of one core over 30s, budget 50%",
          second.getAgentStatus().getBudget().getReason());
    }
  }

  @Test
  void aLevelChangeStatusTheQueueRefusesIsTriedAgain() throws Exception {
    BlockingQueue<Event> emitted = new LinkedBlockingQueue<>();
    AtomicInteger refusals = new AtomicInteger();
    EventSink sink = sinkInto(emitted, refusals);
    AtomicReference<AgentBudget> budget =
        new AtomicReference<>(
            AgentBudget.newBuilder().setLevel(AgentBudget.Level.LEVEL_NORMAL).build());
    try (StatusReporter r = reporterWithBudget(sink, budget)) {
      r.start(Duration.ofHours(1));
      assertEquals(
          AgentBudget.Level.LEVEL_NORMAL,
          emitted.poll(30, TimeUnit.SECONDS).getAgentStatus().getBudget().getLevel());
      budget.set(AgentBudget.newBuilder().setLevel(AgentBudget.Level.LEVEL_SHEDDING).build());
      refusals.set(2);
      r.emitSoon(); // refused twice, then retried a second later each time; the tick is an hour off
      Event e = emitted.poll(60, TimeUnit.SECONDS);
      assertTrue(e != null, "the level change never went out");
      assertEquals(AgentBudget.Level.LEVEL_SHEDDING, e.getAgentStatus().getBudget().getLevel());
      assertTrue(refusals.get() < 0, "the refusals happened");
    }
  }

  @Test
  void withoutABudgetTheFieldIsUnset() throws Exception {
    BlockingQueue<Event> emitted = new LinkedBlockingQueue<>();
    EventSink sink = sinkInto(emitted, new AtomicInteger());
    try (StatusReporter r =
        new StatusReporter(sink, new MetricsRegistry(), List::of, HostInfo.getDefaultInstance())) {
      r.start(Duration.ofHours(1));
      assertTrue(!emitted.poll(30, TimeUnit.SECONDS).getAgentStatus().hasBudget());
    }
  }

  @Test
  void aStatusThatCannotBeBuiltWaitsForTheNextTickInsteadOfRetryingEverySecond() throws Exception {
    BlockingQueue<Event> emitted = new LinkedBlockingQueue<>();
    EventSink sink = sinkInto(emitted, new AtomicInteger());
    AtomicBoolean broken = new AtomicBoolean(true);
    AtomicInteger builds = new AtomicInteger();
    Supplier<List<SensorState>> sensors =
        () -> {
          builds.incrementAndGet();
          if (broken.get()) {
            throw new IllegalStateException("vigil-test: the sensors cannot be read");
          }
          return List.of();
        };
    // A start owed: before the fix it made a failed build retry every second, forever.
    AgentStart start =
        AgentStart.newBuilder()
            .setPreviousStop(AgentStart.PreviousStop.PREVIOUS_STOP_CLEAN)
            .build();
    try (StatusReporter r =
        new StatusReporter(
            sink,
            new MetricsRegistry(),
            sensors,
            List::of,
            HostInfo.getDefaultInstance(),
            new TamperOutbox(),
            Optional.of(start))) {
      r.start(Duration.ofHours(1));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (builds.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(1, builds.get(), "the first tick built once");
      // A retry would come a second after the failure; wait well past it (more time only makes a
      // retry more likely to show).
      Thread.sleep(3500);
      assertEquals(1, builds.get(), "no retry before the next tick (an hour off)");
      assertTrue(emitted.isEmpty());

      broken.set(false);
      r.emitSoon(); // stands for the next tick
      Event e = emitted.poll(30, TimeUnit.SECONDS);
      assertTrue(e != null, "the next status went out");
      assertEquals(start, e.getAgentStatus().getStart(), "the owed start went with it");
    }
  }

  /** A sink that collects into {@code emitted}, refusing while {@code refusals} is positive. */
  private static EventSink sinkInto(BlockingQueue<Event> emitted, AtomicInteger refusals) {
    return new EventSink() {
      @Override
      public boolean offer(Event.Builder e) {
        if (refusals.getAndDecrement() > 0) {
          return false; // the queue is full, as it may be while the agent sheds
        }
        return emitted.add(e.build());
      }

      @Override
      public boolean offerOrRefuse(Event.Builder e) {
        return offer(e);
      }
    };
  }

  /** A reporter that reads the budget the test sets in {@code budget}. */
  private static StatusReporter reporterWithBudget(
      EventSink sink, AtomicReference<AgentBudget> budget) {
    return new StatusReporter(
        sink,
        new MetricsRegistry(),
        List::of,
        List::of,
        HostInfo.getDefaultInstance(),
        new TamperOutbox(),
        Optional.empty(),
        () -> Optional.of(budget.get()));
  }
}
