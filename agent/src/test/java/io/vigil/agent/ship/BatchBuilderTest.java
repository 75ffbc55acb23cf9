package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.spool.SpooledEvent;
import io.vigil.proto.v1.EventBatch;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBuilderTest {
  private static final long HOUR = 3_600_000_000_000L;

  private static ArrayDeque<SpooledEvent> events(long... seqs) {
    ArrayDeque<SpooledEvent> q = new ArrayDeque<>();
    for (long s : seqs) {
      q.add(new SpooledEvent(s, 10, s, new byte[100]));
    }
    return q;
  }

  @Test
  void aBatchEndsWhereTheCapDeletedEventsSoSeqsStayContiguous() {
    ArrayDeque<SpooledEvent> q = events(1, 2, 3, 10, 11);
    BatchBuilder b = new BatchBuilder(100, 1 << 20, HOUR);
    assertTrue(b.fill(q::poll), "the jump ends the batch at once");
    EventBatch first = b.take(0);
    assertEquals(1, first.getFirstSeq());
    assertEquals(3, first.getEventsCount());
    assertFalse(b.fill(q::poll), "not full, not due: wait for more");
    EventBatch second = b.take(0);
    assertEquals(10, second.getFirstSeq());
    assertEquals(2, second.getEventsCount());
  }

  @Test
  void aBatchStopsBeforeTheByteLimitAndAnOversizedEventTravelsAlone() {
    ArrayDeque<SpooledEvent> q = events(1, 2, 3);
    q.add(new SpooledEvent(4, 10, 4, new byte[1000]));
    q.addAll(events(5));
    BatchBuilder b = new BatchBuilder(100, 250, HOUR);
    assertTrue(b.fill(q::poll));
    assertEquals(List.of(1L, 2L), seqs(b.take(0)));
    assertTrue(b.fill(q::poll));
    assertEquals(List.of(3L), seqs(b.take(0)), "event 4 would overflow: it starts the next");
    assertTrue(b.fill(q::poll));
    assertEquals(List.of(4L), seqs(b.take(0)), "larger than the limit on its own: alone");
    assertFalse(b.fill(q::poll));
    assertEquals(List.of(5L), seqs(b.take(0)));
  }

  @Test
  void aFullBatchIsSentAndAPartialOneWhenDue() {
    BatchBuilder full = new BatchBuilder(2, 1 << 20, HOUR);
    assertTrue(full.fill(events(1, 2, 3)::poll));
    BatchBuilder due = new BatchBuilder(100, 1 << 20, 0);
    assertTrue(due.fill(events(1)::poll));
  }

  private static List<Long> seqs(EventBatch b) {
    return java.util.stream.LongStream.range(b.getFirstSeq(), b.getFirstSeq() + b.getEventsCount())
        .boxed()
        .toList();
  }
}
