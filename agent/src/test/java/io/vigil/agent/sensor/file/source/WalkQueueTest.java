package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WalkQueueTest {
  private static WatchTable.Watch dir(int i) {
    return new WatchTable.Watch("/t/d" + i, ("/t/d" + i).getBytes());
  }

  @Test
  void aMillionNewSubdirectoriesQueueNoMoreThanTheWatchesLeft() {
    AtomicInteger watches = new AtomicInteger(3);
    WalkQueue q = new WalkQueue(watches::get, 10);
    int accepted = 0;
    for (int i = 0; i < 1_000_000; i++) {
      if (q.offer(dir(i), false)) {
        accepted++;
      }
    }
    assertEquals(7, accepted);
    assertEquals(7, q.size());
  }

  @Test
  void directoriesAlreadyWatchedAreQueuedAtTheLimitSoThatARewalkStillDescends() {
    AtomicInteger watches = new AtomicInteger(10);
    WalkQueue q = new WalkQueue(watches::get, 10);
    assertTrue(q.offer(dir(1), true));
    assertFalse(q.offer(dir(2), false));
    assertEquals("/t/d1", q.poll().path);
    assertNull(q.poll());
  }

  @Test
  void aDequeuedDirectoryFreesItsPlaceUnlessItTookAWatch() {
    AtomicInteger watches = new AtomicInteger(0);
    WalkQueue q = new WalkQueue(watches::get, 2);
    assertTrue(q.offer(dir(1), false));
    assertTrue(q.offer(dir(2), false));
    assertFalse(q.offer(dir(3), false));
    q.poll();
    watches.incrementAndGet(); // d1 watched
    assertFalse(q.offer(dir(3), false), "d1's watch and d2 queued fill the limit");
    q.poll(); // d2 excluded after all: no watch
    assertTrue(q.offer(dir(3), false));
  }
}
