package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.metrics.MetricsRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streams per agent and the agent's shared rate bucket. */
class AgentStreamSlotsTest {
  private final AgentStreamSlots slots =
      new AgentStreamSlots(1000, new MetricsRegistry().counter("t", "t"));

  @Test
  void twoStreamsPerAgentShareOneBucketAndAThirdIsRefused() {
    AgentStreamSlots.Slot a1 = slots.acquire("a");
    AgentStreamSlots.Slot a2 = slots.acquire("a");
    assertNotNull(a1);
    assertNotNull(a2);
    assertNull(slots.acquire("a"));
    assertNotNull(slots.acquire("b"), "another agent has its own slots");
    assertSame(a1.rateLimiter(), a2.rateLimiter());
    // The burst is the agent's, not each stream's: a second stream gets no fresh one.
    assertEquals(0, a1.rateLimiter().take(1000));
    assertTrue(a2.rateLimiter().take(1000) > 0);
    a1.release();
    a1.release(); // idempotent
    assertEquals(1, slots.streams("a"));
    assertNotNull(slots.acquire("a"));
  }

  @Test
  void anAgentsEntryGoesWithItsLastStreamOnceItsBucketIsFull() throws Exception {
    AgentStreamSlots.Slot idle = slots.acquire("idle");
    idle.release();
    assertEquals(0, slots.streams("idle"));
    AgentStreamSlots.Slot busy = slots.acquire("busy");
    busy.rateLimiter().take(1100); // 0.1 s in debt, 1.1 s until full
    busy.release();
    // Kept while in debt: a reconnect does not get a fresh bucket.
    AgentStreamSlots.Slot again = slots.acquire("busy");
    assertTrue(again.rateLimiter().take(1) > 0, "the debt carried over");
    again.release();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (slots.size() > 0) {
      assertTrue(System.nanoTime() < deadline, "entries left: " + slots.size());
      Thread.sleep(20);
    }
  }
}
