package io.vigil.agent.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.TamperNotice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tamper notices leave in a status emitted at once, each exactly once, and survive a status the
 * pipeline refused; {@code start} is in the first accepted status only.
 */
class TamperDeliveryTest {
  /** Accepts statuses into a queue, refusing the first {@code refusals} (a full queue). */
  private static final class Sink implements EventSink {
    final BlockingQueue<AgentStatus> accepted = new LinkedBlockingQueue<>();
    final AtomicInteger refusals;

    Sink(int refusals) {
      this.refusals = new AtomicInteger(refusals);
    }

    @Override
    public boolean offer(Event.Builder e) {
      if (refusals.getAndDecrement() > 0) {
        return false;
      }
      return accepted.add(e.build().getAgentStatus());
    }

    @Override
    public boolean offerOrRefuse(Event.Builder e) {
      return offer(e);
    }
  }

  private static final AgentStart START =
      AgentStart.newBuilder()
          .setStartedNs(5)
          .setPreviousStop(AgentStart.PreviousStop.PREVIOUS_STOP_UNCLEAN)
          .build();

  private static TamperNotice notice(String kind, int i) {
    return TamperNotice.newBuilder().setKind(kind).setDetail("n" + i).setDetectedNs(i).build();
  }

  private static StatusReporter reporter(Sink sink, TamperOutbox outbox) {
    return new StatusReporter(
        sink,
        new MetricsRegistry(),
        List::of,
        List::of,
        HostInfo.getDefaultInstance(),
        outbox,
        Optional.of(START));
  }

  @Test
  void aNoticeGoesOutAtOnceNotAtTheNextInterval() throws Exception {
    Sink sink = new Sink(0);
    TamperOutbox outbox = new TamperOutbox();
    try (StatusReporter r = reporter(sink, outbox)) {
      r.start(Duration.ofHours(1));
      AgentStatus first = sink.accepted.poll(30, TimeUnit.SECONDS);
      assertEquals(START, first.getStart(), "the first status says how the previous run ended");
      outbox.report(notice("audit_rules_removed", 1));
      AgentStatus withNotice = sink.accepted.poll(30, TimeUnit.SECONDS);
      assertTrue(withNotice != null, "a status within 30 s, though the interval is an hour");
      assertEquals(List.of(notice("audit_rules_removed", 1)), withNotice.getTampersList());
      assertFalse(withNotice.hasStart(), "start only in the first status");
    }
  }

  @Test
  void everyNoticeArrivesExactlyOnceThoughStatusesAreRefused() throws Exception {
    Sink sink = new Sink(3);
    TamperOutbox outbox = new TamperOutbox();
    for (int i = 0; i < 5; i++) {
      outbox.report(notice("containment_table_removed", i)); // before the reporter starts
    }
    List<AgentStatus> seen = new ArrayList<>();
    try (StatusReporter r = reporter(sink, outbox)) {
      r.start(Duration.ofHours(1));
      for (int i = 5; i < 20; i++) {
        outbox.report(notice("audit_disabled", i));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (tampers(seen).size() < 20 && System.nanoTime() < deadline) {
        AgentStatus s = sink.accepted.poll(1, TimeUnit.SECONDS);
        if (s != null) {
          seen.add(s);
        }
      }
      Thread.sleep(1500); // a duplicate would come within the 1 s retry
      sink.accepted.drainTo(seen);
    }
    List<Long> ids = tampers(seen).stream().map(TamperNotice::getDetectedNs).sorted().toList();
    List<Long> expected = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      expected.add(i);
    }
    assertEquals(expected, ids, "each notice once, none lost");
    assertEquals(1, seen.stream().filter(AgentStatus::hasStart).count(), "start once");
    assertTrue(seen.get(0).hasStart(), "in the first accepted status");
    assertTrue(sink.refusals.get() < 0, "the refusals happened");
  }

  private static List<TamperNotice> tampers(List<AgentStatus> statuses) {
    return statuses.stream().flatMap(s -> s.getTampersList().stream()).toList();
  }

  @Test
  void theOutboxBoundsWhatWaitsAndWhatANoticeHolds() {
    TamperOutbox outbox = new TamperOutbox();
    outbox.report(
        TamperNotice.newBuilder().setKind("audit_disabled").setDetail("x".repeat(5000)).build());
    for (int i = 0; i < TamperOutbox.MAX_PENDING + 10; i++) {
      outbox.report(notice("audit_disabled", i));
    }
    List<TamperNotice> taken = outbox.take();
    assertEquals(TamperOutbox.MAX_PENDING, taken.size());
    assertEquals(TamperOutbox.MAX_DETAIL_CHARS, taken.get(0).getDetail().length());
    assertEquals(11, outbox.dropped());
    assertEquals(List.of(), outbox.take(), "taken once");
    outbox.putBack(taken.subList(0, 2));
    assertEquals(taken.subList(0, 2), outbox.take(), "put back in order");
  }
}
