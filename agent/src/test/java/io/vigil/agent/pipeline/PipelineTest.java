package io.vigil.agent.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.synthetic.SyntheticEvents;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import io.vigil.proto.v1.ProcessExec;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PipelineTest extends SpoolFixture {
  private static Event.Builder event(long n, EventKind kind) {
    return SyntheticEvents.create(n, kind, new SplittableRandom(n), 1_000_000_000L * n);
  }

  @Test
  void fullQueueDropsAndCountsAndTheWriterRecordsAGap() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 4, metrics);
    int accepted = 0;
    for (long n = 1; n <= 10; n++) {
      EventKind kind = n <= 7 ? EventKind.EVENT_KIND_DNS : EventKind.EVENT_KIND_FILE;
      if (pipeline.offer(event(n, kind))) {
        accepted++;
      }
    }
    assertEquals(4, accepted);
    assertFalse(pipeline.offerOrRefuse(event(11, EventKind.EVENT_KIND_DNS)));
    assertEquals(10, metrics.total("vigil_agent_events_produced_total"));
    assertEquals(6, metrics.value("vigil_agent_events_dropped_total", "reason", "queue_full"));

    pipeline.start();
    pipeline.close();

    List<Event> events = spooled();
    assertEquals(5, events.size());
    Gap gap = events.get(4).getGap();
    assertEquals(Gap.Reason.REASON_QUEUE_FULL, gap.getReason());
    assertEquals(6, gap.getCount());
    assertEquals(0, gap.getFirstSeq());
    assertEquals(0, gap.getLastSeq());
    assertEquals("pipeline", gap.getSource());
    assertEquals(5_000_000_000L, gap.getFirstEventTimeNs());
    assertEquals(10_000_000_000L, gap.getLastEventTimeNs());
    assertEquals(
        List.of(
            KindCount.newBuilder().setKind(EventKind.EVENT_KIND_FILE).setCount(3).build(),
            KindCount.newBuilder().setKind(EventKind.EVENT_KIND_DNS).setCount(3).build()),
        gap.getCountsByKindList());
    for (int i = 0; i < 4; i++) {
      assertEquals(i + 1, events.get(i).getSeq());
      assertEquals(i + 1, SyntheticEvents.numberOf(events.get(i)).getAsLong());
    }
  }

  @Test
  void oversizedEventsAreDroppedAsTooLarge() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 100, metrics, 4096);
    pipeline.start();
    Event.Builder huge = event(1, EventKind.EVENT_KIND_PROCESS_EXEC);
    huge.setProcessExec(ProcessExec.newBuilder(huge.getProcessExec()).addArgs("x".repeat(8192)));
    assertTrue(pipeline.offer(huge));
    assertTrue(pipeline.offer(event(2, EventKind.EVENT_KIND_PROCESS_EXEC)));
    assertTrue(pipeline.awaitDrained(Duration.ofSeconds(30)));
    pipeline.close();

    List<Event> events = spooled();
    assertEquals(2, events.size(), "the kept event and a Gap for the dropped one");
    Event kept = events.stream().filter(e -> !e.hasGap()).findFirst().orElseThrow();
    assertEquals(2, SyntheticEvents.numberOf(kept).getAsLong());
    Gap gap = events.stream().filter(Event::hasGap).findFirst().orElseThrow().getGap();
    assertEquals(Gap.Reason.REASON_TOO_LARGE, gap.getReason());
    assertEquals(1, gap.getCount());
    assertEquals(0, gap.getFirstSeq(), "it never had a seq");
    assertEquals(EventKind.EVENT_KIND_PROCESS_EXEC, gap.getCountsByKind(0).getKind());
    assertEquals(1, metrics.value("vigil_agent_events_dropped_total", "reason", "too_large"));
    assertEquals(2, metrics.total("vigil_agent_events_produced_total"));
  }

  @Test
  void queuedBytesAreBoundedButAnEmptyQueueAlwaysTakesOneEvent() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 100, metrics, Pipeline.DEFAULT_MAX_EVENT_BYTES, 1);
    assertTrue(pipeline.offer(event(1, EventKind.EVENT_KIND_DNS)));
    assertFalse(pipeline.offer(event(2, EventKind.EVENT_KIND_DNS)));
    assertFalse(pipeline.offerOrRefuse(event(3, EventKind.EVENT_KIND_DNS)));
    assertEquals(1, metrics.value("vigil_agent_events_dropped_total", "reason", "queue_full"));

    pipeline.start();
    assertTrue(pipeline.awaitDrained(Duration.ofSeconds(30)));
    // Drained: the byte budget is free again.
    assertTrue(pipeline.offerOrRefuse(event(3, EventKind.EVENT_KIND_DNS)));
    pipeline.close();

    List<Event> events = spooled();
    assertEquals(3, events.size()); // event 1, the gap for event 2, event 3
    assertEquals(1, SyntheticEvents.numberOf(events.get(0)).getAsLong());
    assertEquals(1, events.get(1).getGap().getCount());
    assertEquals(3, SyntheticEvents.numberOf(events.get(2)).getAsLong());
  }

  @Test
  void closedPipelineRefusesAndCountsOffers() throws Exception {
    Pipeline pipeline = new Pipeline(spool, 100, metrics);
    pipeline.start();
    pipeline.close();
    assertFalse(pipeline.offer(event(1, EventKind.EVENT_KIND_DNS)));
    assertEquals(1, metrics.value("vigil_agent_events_dropped_total", "reason", "closed"));
    assertTrue(spooled().isEmpty());
  }
}
