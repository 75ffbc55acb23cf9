package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.exec;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vigil.collector.store.DeadLetterRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeadLetterIngestTest {
  private static final String AGENT = "agent-dl";
  private static final String EPOCH = "e1";
  private static final String DEAD = "vigil_collector_events_dead_lettered_total";

  @TempDir Path dir;

  @Test
  void badEventsAreDeadLetteredAndTheStreamMovesOn() throws Exception {
    IngestOptions options = IngestOptions.defaults().withMaxEventBytes(1000);
    try (IngestFixture f = new IngestFixture(dir, options)) {
      f.ingest.openStream(AGENT, EPOCH, TestEvents.hello(AGENT, EPOCH), now()).get();
      List<ByteString> events =
          List.of(
              exec(1).toByteString(),
              ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}),
              exec(99).toByteString(),
              exec(4, "x".repeat(2000)).toByteString(),
              Event.newBuilder().setSeq(5).setSensor("process").build().toByteString(),
              exec(6).toByteString());
      assertEquals(6L, f.ingest.submit(AGENT, EPOCH, TestEvents.raw(1, events), now()).get());
      assertEquals(7L, f.ingest.submit(AGENT, EPOCH, TestEvents.batch(7, 7), now()).get());

      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(List.of(1L, 6L, 7L), IngestFixture.storedSeqs(reader));
        assertEquals(OptionalLong.of(7), reader.watermark(AGENT, EPOCH));
        List<DeadLetterRow> dead = reader.deadLetters();
        assertEquals(List.of(2L, 3L, 4L, 5L), dead.stream().map(DeadLetterRow::seq).toList());
        assertTrue(dead.get(0).reason().startsWith("unparseable: "), dead.get(0).reason());
        assertEquals("seq mismatch: expected 3, event says 99", dead.get(1).reason());
        long size = events.get(3).size();
        assertEquals("too large: " + size + " > 1000 bytes", dead.get(2).reason());
        assertEquals(1000, dead.get(2).raw().length);
        assertEquals(size, dead.get(2).rawSize());
        assertTrue(dead.get(3).reason().startsWith("no payload"), dead.get(3).reason());
        assertEquals(events.get(1), ByteString.copyFrom(dead.get(0).raw()));
      }
      assertEquals(1, f.counter(DEAD, "reason", "unparseable"));
      assertEquals(1, f.counter(DEAD, "reason", "seq_mismatch"));
      assertEquals(1, f.counter(DEAD, "reason", "too_large"));
      assertEquals(1, f.counter(DEAD, "reason", "no_payload"));
      assertEquals(3, f.counter("vigil_collector_events_stored_total"));
      assertEquals(7, f.counter("vigil_collector_events_received_total"));
    }
  }

  @Test
  void resentDeadLetteredEventIsNotDeadLetteredTwice() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      var garbage =
          TestEvents.raw(1, List.of(ByteString.copyFromUtf8("\u0007not a protobuf message")));
      assertEquals(1L, f.ingest.submit(AGENT, EPOCH, garbage, now()).get());
      assertEquals(1L, f.ingest.submit(AGENT, EPOCH, garbage, now()).get());
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(1, reader.deadLetters().size());
      }
      assertEquals(1, f.counter("vigil_collector_events_duplicate_total"));
    }
  }
}
