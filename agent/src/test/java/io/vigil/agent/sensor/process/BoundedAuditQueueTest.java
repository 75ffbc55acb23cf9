package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedAuditQueueTest {
  private static AuditEvent execWithArgument(int bytes) {
    return AuditLines.exec(1, 10, 1, "/bin/x", "0100755", "x", "a".repeat(bytes));
  }

  @Test
  void anEventSizeCountsItsRecordBytes() {
    long small = execWithArgument(10).payloadBytes();
    long big = execWithArgument(10_010).payloadBytes();
    assertEquals(10_000, big - small);
  }

  @Test
  void eventsBeyondTheByteBudgetAreRefusedAndCountedUntilTheConsumerTakesSome() throws Exception {
    AuditEvent e = execWithArgument(50_000);
    long size = e.payloadBytes();
    BoundedAuditQueue q = new BoundedAuditQueue(100, size * 3);

    assertTrue(q.offer(e));
    assertTrue(q.offer(e));
    assertTrue(q.offer(e));
    assertFalse(q.offer(e), "a fourth would pass the byte budget although the count allows it");
    assertEquals(1, q.drops());
    assertEquals(size * 3, q.bytes());

    assertSame(e, q.poll(1, TimeUnit.SECONDS));
    assertEquals(size * 2, q.bytes());
    assertTrue(q.offer(e), "room again once one was taken");
    assertEquals(1, q.drops());
  }

  @Test
  void eventsBeyondTheCountAreRefusedAndCounted() {
    BoundedAuditQueue q = new BoundedAuditQueue(2, 1L << 30);
    assertTrue(q.offer(execWithArgument(1)));
    assertTrue(q.offer(execWithArgument(1)));
    assertFalse(q.offer(execWithArgument(1)));
    assertEquals(1, q.drops());
    assertEquals(2 * execWithArgument(1).payloadBytes(), q.bytes(), "a refused event holds none");
  }

  @Test
  void anEventLargerThanTheWholeBudgetPassesOnlyAnEmptyQueue() throws Exception {
    BoundedAuditQueue q = new BoundedAuditQueue(10, 1000);
    AuditEvent huge = execWithArgument(5000);
    assertTrue(q.offer(huge));
    assertFalse(q.offer(execWithArgument(1)));
    assertSame(huge, q.poll(1, TimeUnit.SECONDS));
    assertEquals(0, q.bytes());
    assertTrue(q.isEmpty());
  }
}
