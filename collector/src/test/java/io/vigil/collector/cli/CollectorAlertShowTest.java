package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An alert about the collector itself lists and shows without an event. */
class CollectorAlertShowTest {
  @TempDir Path dir;

  @Test
  void theDiskFullAlertListsAndShowsWithoutAnEvent() throws Exception {
    Path db = dir.resolve("vigil.db");
    long id;
    try (EventStore store = EventStore.open(db);
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), new MetricsRegistry(), List.of())) {
      id =
          ingest
              .raiseCollectorAlert(HealthAlerts.diskFull("/var/lib/vigil/collector", 1024, 4096))
              .get();
      ingest.noteCollectorAlert(id, "batches accepted again").get();
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      List<AlertRow> listed = reader.latestAlerts(10);
      assertEquals(1, listed.size());
      assertEquals("collector", listed.get(0).agentId());
      assertEquals("collector", listed.get(0).epoch());
      AlertDetail d = reader.alert(id).orElseThrow();
      String text = String.join("\n", AlertShow.format(d, List.of(), 10));
      assertTrue(text.contains("vigil-collector-disk-full"), text);
      assertTrue(text.contains("/var/lib/vigil/collector"), text);
      assertTrue(text.contains("(none: an alert about the collector itself)"), text);
      assertEquals("batches accepted again", d.history().get(0).note());
    }
  }
}
