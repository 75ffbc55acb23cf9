package io.vigil.collector.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestRefusedException;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk guard with free space the test sets. */
class DiskGuardTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;
  private final AtomicLong free = new AtomicLong(500 * MIB);
  private final MetricsRegistry metrics = new MetricsRegistry();

  private DiskGuard guard() {
    return new DiskGuard(
        free::get,
        "/var/lib/vigil/collector",
        new DiskOptions(100 * MIB, 200 * MIB, Duration.ofSeconds(1)),
        metrics);
  }

  @Test
  void refusesBelowTheMinimumAndAcceptsAgainOnlyAboveTheResumeThreshold() {
    DiskGuard g = guard();
    assertTrue(g.refusal().isEmpty());
    assertTrue(g.check().ok());

    free.set(80 * MIB);
    assertTrue(g.refusal().isEmpty(), "as last measured");
    assertTrue(g.measure());
    IngestRefusedException refused = g.refusal().orElseThrow();
    assertEquals("disk_full", refused.reason());
    assertEquals(
        "collector storage nearly full: 80MiB free on /var/lib/vigil/collector and 0 of free"
            + " pages in the database, below store.min_free_bytes 100MiB; keep spooling, retrying",
        refused.getMessage());
    assertFalse(g.check().ok());
    assertEquals(true, g.check().details().get("refusing"));
    assertEquals(80 * MIB, g.check().details().get("free_bytes"));
    assertEquals(80.0 * MIB, metrics.value("vigil_collector_disk_free_bytes"));

    free.set(150 * MIB); // above the minimum, below the resume threshold: still refusing
    assertTrue(g.measure());
    assertTrue(g.refusal().isPresent());
    free.set(200 * MIB);
    assertFalse(g.measure());
    assertTrue(g.refusal().isEmpty());
    assertTrue(g.check().ok());
    assertEquals(1.0, metrics.value("vigil_collector_disk_full_episodes_total"));
  }

  @Test
  void refusalNeverMeasuresItReturnsTheLastMeasuredState() {
    AtomicLong statvfs = new AtomicLong();
    AtomicLong headerReads = new AtomicLong();
    DiskGuard g =
        new DiskGuard(
            () -> {
              statvfs.incrementAndGet();
              return free.get();
            },
            () -> {
              headerReads.incrementAndGet();
              return 0;
            },
            "/x",
            new DiskOptions(100 * MIB, 200 * MIB, Duration.ofSeconds(1)),
            metrics);
    free.set(10 * MIB);
    for (int i = 0; i < 1000; i++) {
      assertTrue(g.refusal().isEmpty());
    }
    assertEquals(1, statvfs.get(), "only the constructor measured");
    assertEquals(1, headerReads.get());
    g.measure();
    assertEquals(2, statvfs.get());
    assertTrue(g.refusal().isPresent());
  }

  @Test
  void theDatabasesFreePagesCountAsSpaceButNotBelowAQuarterOfTheMinimumOnTheFilesystem() {
    AtomicLong pages = new AtomicLong(0);
    free.set(90 * MIB);
    DiskGuard g =
        new DiskGuard(
            free::get,
            pages::get,
            "/x",
            new DiskOptions(100 * MIB, 200 * MIB, Duration.ofSeconds(1)),
            metrics);
    assertTrue(g.refusing(), "90 MiB and no free pages");

    pages.set(150 * MIB); // retention deleted events: 240 MiB for new events, the file as large
    assertFalse(g.measure());
    assertEquals(150.0 * MIB, metrics.value("vigil_collector_store_free_page_bytes"));
    assertEquals(150 * MIB, g.check().details().get("free_page_bytes"));

    free.set(20 * MIB); // something else filled the filesystem: the WAL cannot grow in pages
    assertTrue(g.measure(), "20 MiB is below a quarter of 100 MiB, whatever the free pages");
    assertTrue(
        g.refusal().orElseThrow().getMessage().contains("the filesystem alone is below a quarter"),
        g.refusal().orElseThrow().getMessage());
    free.set(45 * MIB); // back above a quarter of the minimum, not of the resume threshold
    assertTrue(g.measure());
    free.set(50 * MIB);
    assertFalse(g.measure());
  }

  @Test
  void anUnreadableFreelistCountsAsNoFreePages() {
    DiskGuard g =
        new DiskGuard(
            () -> 150 * MIB,
            () -> {
              throw new IllegalStateException("database is locked");
            },
            "/x",
            new DiskOptions(100 * MIB, 200 * MIB, Duration.ofSeconds(1)),
            metrics);
    assertFalse(g.refusing(), "150 MiB on the filesystem is enough alone");
    assertEquals(0L, g.freePageBytes());
    assertTrue(g.check().details().get("error").toString().contains("database is locked"));
  }

  @Test
  void aFailedMeasurementKeepsTheLastState() {
    AtomicLong calls = new AtomicLong();
    DiskGuard g =
        new DiskGuard(
            () -> {
              if (calls.incrementAndGet() > 1) {
                throw new IOException("statvfs failed");
              }
              return 10 * MIB;
            },
            "/x",
            new DiskOptions(100 * MIB, 200 * MIB, Duration.ofSeconds(1)),
            metrics);
    assertTrue(g.refusing());
    assertTrue(g.measure(), "still refusing after a failed measurement");
    assertTrue(g.check().details().get("error").toString().contains("statvfs failed"));
  }

  @Test
  void oneAlertPerEpisodeWithANoteWhenItEndsRaisedThroughIngest() throws Exception {
    Path db = dir.resolve("vigil.db");
    DiskGuard g = guard();
    try (EventStore store = EventStore.open(db);
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), metrics, List.of())) {
      DiskWatch w = DiskWatch.startManual(g, ingest);
      w.tick();
      free.set(10 * MIB);
      w.tick();
      w.tick();
      free.set(300 * MIB);
      w.tick();
      free.set(10 * MIB);
      w.tick(); // a second episode within the suppression window: folded, counted
      w.close();
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      assertEquals(1, reader.countAlerts(), "two episodes folded into one open alert");
      AlertDetail first = reader.alert(1).orElseThrow();
      assertEquals(DiskWatch.RULE_ID, first.alert().ruleId());
      assertEquals("health", first.alert().source());
      assertEquals("builtin:health", first.alert().ruleOrigin());
      assertEquals("high", first.alert().level());
      assertEquals("collector", first.alert().agentId());
      assertEquals(2, first.alert().count(), "both episodes counted");
      assertEquals(1, first.history().size());
      assertTrue(first.history().get(0).note().startsWith("batches accepted again"));
      assertTrue(first.alert().matchedFieldsJson().contains("\"free_bytes\":[\"10485760\"]"));
    }
    assertEquals(1.0, metrics.value("vigil_collector_alerts_stored_total", "level", "high"));
  }
}
