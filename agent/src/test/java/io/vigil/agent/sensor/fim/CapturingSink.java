package io.vigil.agent.sensor.fim;

import io.vigil.agent.sensor.EventSink;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Keeps every event offered, in order, and can be told to refuse (as a full queue does); lets a
 * test wait for an event. Thread-safe.
 */
final class CapturingSink implements EventSink {
  private final List<Event> events = new ArrayList<>();
  private boolean refusing;
  private int refused;

  @Override
  public synchronized boolean offer(Event.Builder event) {
    if (refusing) {
      refused++;
      return false;
    }
    events.add(event.build());
    notifyAll();
    return true;
  }

  @Override
  public boolean offerOrRefuse(Event.Builder event) {
    return offer(event);
  }

  /** From now on, refuse every event (true) or accept them again (false). */
  synchronized void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  synchronized int refused() {
    return refused;
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** Waits (up to 30 s) until {@code count} events match; returns all that match. */
  synchronized List<Event> await(Predicate<Event> match, int count) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      List<Event> found = events.stream().filter(match).toList();
      if (found.size() >= count) {
        return found;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "only " + found.size() + " of " + count + " matching events among " + events);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits for one matching event and returns it. */
  Event await(Predicate<Event> match) throws InterruptedException {
    return await(match, 1).get(0);
  }
}
