package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.EventSink;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every event offered; lets a test wait for one. Thread-safe. */
final class RecordingSink implements EventSink {
  private final List<Event> events = new ArrayList<>();

  @Override
  public synchronized boolean offer(Event.Builder event) {
    events.add(event.build());
    notifyAll();
    return true;
  }

  @Override
  public boolean offerOrRefuse(Event.Builder event) {
    return offer(event);
  }

  synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** Waits (up to 20 s) until an event matches; returns it or throws AssertionError. */
  synchronized Event await(Predicate<Event> match) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      for (Event e : events) {
        if (match.test(e)) {
          return e;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching event among " + events.size() + ": " + events);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
