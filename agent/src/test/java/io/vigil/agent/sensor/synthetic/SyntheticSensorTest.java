package io.vigil.agent.sensor.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.EventSink;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SyntheticSensorTest {

  /** Accepts every other offer, so the sensor has to retry. Thread-safe. */
  private static final class Collecting implements EventSink {
    final List<Event> events = new ArrayList<>();
    private int calls;

    @Override
    public synchronized boolean offer(Event.Builder event) {
      events.add(event.build());
      return true;
    }

    @Override
    public synchronized boolean offerOrRefuse(Event.Builder event) {
      if (calls++ % 2 == 0) {
        return false;
      }
      events.add(event.build());
      return true;
    }

    synchronized List<Event> snapshot() {
      return new ArrayList<>(events);
    }
  }

  private static List<Event> run(SyntheticSensor.Options options) throws InterruptedException {
    Collecting sink = new Collecting();
    try (SyntheticSensor sensor = new SyntheticSensor(options)) {
      sensor.start(sink);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!sensor.finished() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(sensor.finished());
      assertEquals(options.count(), sensor.lastNumber());
    }
    return sink.snapshot();
  }

  @Test
  void emitsEveryNumberExactlyOnceDespiteRefusals() throws Exception {
    List<Event> events = run(new SyntheticSensor.Options(0, 1000, Map.of(), 42, 0));
    assertEquals(1000, events.size());
    Set<EventKind> kinds = EnumSet.noneOf(EventKind.class);
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      assertEquals(i + 1, SyntheticEvents.numberOf(e).getAsLong());
      assertEquals("synthetic", e.getSensor());
      kinds.add(EventKind.forNumber(e.getPayloadCase().getNumber()));
    }
    assertEquals(SyntheticEvents.KINDS, kinds);
  }

  @Test
  void continuesAfterStartAfterUpToTheAbsoluteCount() throws Exception {
    List<Event> events =
        run(new SyntheticSensor.Options(0, 250, Map.of(EventKind.EVENT_KIND_DNS, 1), 7, 100));
    assertEquals(150, events.size());
    assertEquals(101, SyntheticEvents.numberOf(events.get(0)).getAsLong());
    assertEquals(250, SyntheticEvents.numberOf(events.get(149)).getAsLong());
    assertTrue(events.stream().allMatch(Event::hasDns));
  }

  @Test
  void numberRoundTripsForEveryKindAndExecCommandLinesHaveRealisticLength() {
    for (EventKind kind : SyntheticEvents.KINDS) {
      for (long n : new long[] {1, 987_654_321L, Long.MAX_VALUE}) {
        Event e = SyntheticEvents.create(n, kind, new SplittableRandom(n), 1).build();
        assertEquals(n, SyntheticEvents.numberOf(e).getAsLong(), kind + " " + n);
      }
    }
    for (long n = 1; n <= 500; n++) {
      Event e =
          SyntheticEvents.create(
                  n, EventKind.EVENT_KIND_PROCESS_EXEC, SyntheticEvents.randomFor(3, n), 1)
              .build();
      int length = e.getProcessExec().getProcess().getCommandLine().length();
      assertTrue(length >= 100 && length <= 300, "command line length " + length);
      assertEquals(64, e.getProcessExec().getSha256().length());
    }
    assertTrue(SyntheticEvents.numberOf(Event.getDefaultInstance()).isEmpty());
  }

  @Test
  void pacesToTheConfiguredRate() throws Exception {
    Collecting sink = new Collecting();
    double rate = 1000;
    long started = System.nanoTime();
    long emitted;
    try (SyntheticSensor sensor =
        new SyntheticSensor(new SyntheticSensor.Options(rate, 0, Map.of(), 1, 0))) {
      sensor.start(sink);
      Thread.sleep(500);
      sensor.close();
      emitted = sensor.lastNumber();
    }
    double elapsedSeconds = (System.nanoTime() - started) / 1e9;
    assertTrue(emitted > 0);
    assertTrue(
        emitted <= rate * elapsedSeconds + 1, emitted + " events in " + elapsedSeconds + " s");
  }
}
