package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorrelationInputWritesTest {
  @TempDir Path dir;

  @Test
  void inputsSurviveAReopenInEventTimeOrderAndArePrunedByEventTime() {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      CorrelationInputWrites in = store.correlationInputs();
      in.insert("failed-login", "agent-a", 1, 5, 300, "{\"User\":\"root\"}");
      in.insert("failed-login", "agent-a", 1, 3, 100, "{\"User\":\"root\"}");
      in.insert("success-login", "agent-b", 2, 9, 300, "{\"User\":\"bob\"}");
      in.insert("failed-login", "agent-a", 1, 4, 200, "{}");
      store.commit();
      in.insert("failed-login", "agent-a", 1, 6, 400, "{}");
      store.rollback();
    }
    try (EventStore store = EventStore.open(file)) {
      CorrelationInputWrites in = store.correlationInputs();
      assertEquals(
          List.of(
              new CorrelationInputRow("failed-login", "agent-a", 1, 3, 100, "{\"User\":\"root\"}"),
              new CorrelationInputRow("failed-login", "agent-a", 1, 4, 200, "{}"),
              new CorrelationInputRow("failed-login", "agent-a", 1, 5, 300, "{\"User\":\"root\"}"),
              new CorrelationInputRow("success-login", "agent-b", 2, 9, 300, "{\"User\":\"bob\"}")),
          in.since(0));
      assertEquals(
          List.of(300L, 300L),
          in.since(201).stream().map(CorrelationInputRow::eventTimeNs).toList());
      assertEquals(2, in.pruneBefore(300));
      assertEquals(0, in.pruneBefore(300));
      store.commit();
      assertEquals(List.of(5L, 9L), in.since(0).stream().map(CorrelationInputRow::seq).toList());
    }
  }

  @Test
  void anAgentsLastEventTimeIsThatOfItsNewestWatermarkEvent() {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      EventWrites ev = store.events();
      StreamRef a1 = ev.stream("agent-a", "boot-1", 1);
      StreamRef a2 = ev.stream("agent-a", "boot-2", 1);
      StreamRef b = ev.stream("agent-b", "boot-1", 1);
      ev.stream("agent-c", "boot-1", 1); // no events yet
      for (long seq = 1; seq <= 3; seq++) {
        ev.insertEvent(a1.streamId(), seq, 1, 1000 + seq, 0, new byte[0]);
        ev.insertEvent(a2.streamId(), seq, 1, 500 + seq, 0, new byte[0]);
        ev.insertEvent(b.streamId(), seq, 1, 7000 + seq, 0, new byte[0]);
      }
      ev.insertEvent(b.streamId(), 4, 1, 9999, 0, new byte[0]); // past the watermark
      ev.setWatermark(a1.streamId(), 2);
      ev.setWatermark(a2.streamId(), 3);
      // The watermark event of b was dead-lettered: the stored event before it counts.
      ev.setWatermark(b.streamId(), 5);
      assertEquals(Map.of("agent-a", 1002L, "agent-b", 9999L), ev.lastEventTimeByAgent());
      ev.setWatermark(b.streamId(), 3);
      assertEquals(Map.of("agent-a", 1002L, "agent-b", 7003L), ev.lastEventTimeByAgent());
    }
  }
}
