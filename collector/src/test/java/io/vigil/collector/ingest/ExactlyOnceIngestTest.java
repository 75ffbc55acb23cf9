package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.batch;
import static io.vigil.collector.ingest.TestEvents.hello;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.collector.store.AgentRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExactlyOnceIngestTest {
  private static final String AGENT = "0b7c9e2a-1111-4a8e-9a53-2f0f4b6d7e01";
  private static final String EPOCH = "e1";

  @TempDir Path dir;

  @Test
  void resentAndOverlappingBatchesStoreEachSeqExactlyOnce() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      assertEquals(0, f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get());
      assertEquals(10L, f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get());
      assertEquals(10L, f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get());
      assertEquals(15L, f.ingest.submit(AGENT, EPOCH, batch(5, 15), now()).get());
      assertEquals(15L, f.ingest.submit(AGENT, EPOCH, batch(1, 3), now()).get());

      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(
            LongStream.rangeClosed(1, 15).boxed().collect(Collectors.toList()),
            IngestFixture.storedSeqs(reader));
        assertEquals(OptionalLong.of(15), reader.watermark(AGENT, EPOCH));
      }
      assertEquals(15, f.counter("vigil_collector_events_stored_total"));
      assertEquals(10 + 6 + 3, f.counter("vigil_collector_events_duplicate_total"));
      assertEquals(10 + 10 + 11 + 3, f.counter("vigil_collector_events_received_total"));
      assertEquals(4, f.counter("vigil_collector_batches_committed_total"));
    }
  }

  @Test
  void watermarkSurvivesRestartAndResendAfterRestartIsDeduplicated() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      assertEquals(10L, f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get());
    }
    try (IngestFixture f = new IngestFixture(dir)) {
      assertEquals(10, f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get());
      assertEquals(0, f.ingest.openStream(AGENT, "e2", hello(AGENT, "e2"), now()).get());
      assertEquals(12L, f.ingest.submit(AGENT, EPOCH, batch(5, 12), now()).get());
      assertEquals(6, f.counter("vigil_collector_events_duplicate_total"));
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        List<Long> seqs = IngestFixture.storedSeqs(reader);
        assertEquals(12, seqs.size());
        assertEquals(12, new HashSet<>(seqs).size());
        List<AgentRow> agents = reader.agents();
        assertEquals(1, agents.size());
        assertEquals("web-1", agents.get(0).hostname());
        assertEquals("e2", agents.get(0).currentEpoch());
        assertEquals(2, reader.streams().size());
      }
    }
  }

  @Test
  void batchesOfTwoAgentsInterleavedAreGroupCommittedWithCorrectWatermarks() throws Exception {
    String other = "agent-two";
    try (IngestFixture f = new IngestFixture(dir)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      f.ingest.openStream(other, EPOCH, hello(other, EPOCH), now()).get();
      List<CompletableFuture<Long>> a = new ArrayList<>();
      List<CompletableFuture<Long>> b = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        long first = i * 5L + 1;
        a.add(f.ingest.submit(AGENT, EPOCH, batch(first, first + 4), now()));
        b.add(f.ingest.submit(other, EPOCH, batch(first, first + 4), now()));
      }
      for (int i = 0; i < 30; i++) {
        assertEquals(i * 5L + 5, a.get(i).get(), "agent one, batch " + i);
        assertEquals(i * 5L + 5, b.get(i).get(), "agent two, batch " + i);
      }
      assertEquals(60, f.counter("vigil_collector_batches_committed_total"));
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(300, reader.countEvents());
        assertEquals(OptionalLong.of(150), reader.watermark(AGENT, EPOCH));
        assertEquals(OptionalLong.of(150), reader.watermark(other, EPOCH));
      }
    }
  }

  @Test
  void badIdsAndSeqRangesAreRefusedWithoutTouchingTheStore() {
    try (IngestFixture f = new IngestFixture(dir)) {
      CompletableFuture<Long> badId = f.ingest.submit("a\nb", EPOCH, batch(1, 1), now());
      CompletableFuture<Long> zeroSeq = f.ingest.submit(AGENT, EPOCH, batch(0, 0), now());
      assertEquals(
          IllegalArgumentException.class,
          org.junit.jupiter.api.Assertions.assertThrows(Exception.class, badId::join)
              .getCause()
              .getClass());
      assertEquals(
          IllegalArgumentException.class,
          org.junit.jupiter.api.Assertions.assertThrows(Exception.class, zeroSeq::join)
              .getCause()
              .getClass());
      assertEquals(0, f.counter("vigil_collector_events_received_total"));
    }
  }
}
