package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.batch;
import static io.vigil.collector.ingest.TestEvents.hello;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest when space runs out: a real SQLITE_FULL (the file capped with {@code max_page_count})
 * rolls the transaction back, fails the batch back to its stream without acknowledging it, and the
 * writer goes on; a batch gate refuses batches before they are queued.
 */
class StoreFullIngestTest {
  private static final String AGENT = "0b7c9e2a-1111-4a8e-9a53-2f0f4b6d7e01";
  private static final String EPOCH = "e1";

  @TempDir Path dir;

  @Test
  void sqliteFullRollsBackFailsTheBatchAndTheWriterCarriesOn() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get();
      assertEquals(100L, f.ingest.submit(AGENT, EPOCH, batch(1, 100), now()).get());
      long pages = f.ingest.maintain(EventStore::pageCount).get();
      assertEquals(pages, f.ingest.maintain(s -> s.limitPages(pages)).get());

      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> f.ingest.submit(AGENT, EPOCH, batch(101, 3000), now()).get());
      IngestRefusedException refused = assertInstanceOf(IngestRefusedException.class, e.getCause());
      assertEquals("store_full", refused.reason());
      assertTrue(refused.getMessage().contains("keep spooling"), refused.getMessage());
      assertEquals(
          1, f.counter("vigil_collector_ingest_refused_batches_total", "reason", "store_full"));
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(OptionalLong.of(100), reader.watermark(AGENT, EPOCH), "nothing acknowledged");
      }

      // Space returns; the agent reconnects (a new stream opening) and re-sends: all stored.
      f.ingest.maintain(s -> s.limitPages(1L << 30)).get();
      assertEquals(100L, f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get());
      assertEquals(3000L, f.ingest.submit(AGENT, EPOCH, batch(101, 3000), now()).get());
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        assertEquals(
            LongStream.rangeClosed(1, 3000).boxed().collect(Collectors.toList()),
            IngestFixture.storedSeqs(reader));
      }
    }
  }

  @Test
  void aClosedGateRefusesBatchesButNotStreamOpeningsOrCommandResults() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      AtomicBoolean full = new AtomicBoolean(true);
      f.ingest.gateBatches(
          () ->
              full.get()
                  ? Optional.of(new IngestRefusedException("disk_full", "no room"))
                  : Optional.empty());
      assertEquals(0L, f.ingest.openStream(AGENT, EPOCH, hello(AGENT, EPOCH), now()).get());
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get());
      assertEquals("no room", e.getCause().getMessage());
      assertEquals(
          1, f.counter("vigil_collector_ingest_refused_batches_total", "reason", "disk_full"));
      assertEquals(
          List.of(),
          f.ingest.submitCommandResults(AGENT, List.of(), now()).get(),
          "command results still go through");
      full.set(false);
      assertEquals(10L, f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get());
    }
  }
}
