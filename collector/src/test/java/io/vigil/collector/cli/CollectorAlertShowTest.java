package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.CollectorAlerts;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An alert about the collector itself lists and shows without an event. */
class CollectorAlertShowTest {
  @TempDir Path dir;

  @Test
  void theDiskFullAlertListsAndShowsWithoutAnEvent() {
    Path db = dir.resolve("vigil.db");
    EventStore.open(db).close();
    long id;
    try (CollectorAlerts alerts = CollectorAlerts.open(db)) {
      id =
          alerts.raise(
              "vigil-collector-disk-full",
              "Collector storage nearly full",
              "high",
              "{\"path\":[\"/var/lib/vigil-collector\"],\"free_bytes\":[\"1024\"]}",
              1_800_000_000_000_000_000L);
      alerts.note(id, "batches accepted again", 1_800_000_001_000_000_000L);
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      List<AlertRow> listed = reader.latestAlerts(10);
      assertEquals(1, listed.size());
      assertEquals("collector", listed.get(0).agentId());
      assertEquals("collector", listed.get(0).epoch());
      AlertDetail d = reader.alert(id).orElseThrow();
      String text = String.join("\n", AlertShow.format(d, List.of(), 10));
      assertTrue(text.contains("vigil-collector-disk-full"), text);
      assertTrue(text.contains("/var/lib/vigil-collector"), text);
      assertTrue(text.contains("(none: an alert about the collector itself)"), text);
    }
  }
}
