package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertStoreTest {
  @TempDir Path dir;

  private static NewAlert alert(String ruleId, String level) {
    return new NewAlert(
        ruleId, "title " + ruleId, level, "[]", "{\"Image\":[\"/usr/bin/id\"]}", "/rules/x.yml");
  }

  @Test
  void aDatabaseOfSchemaVersion1GetsTheAlertsTableAndKeepsItsEvents() throws Exception {
    Path file = dir.resolve("vigil.db");
    // What a collector from before alerts left on disk.
    try (Connection c = SqliteFiles.openWriter(file)) {
      Schema.migrate(c, 1, 1);
      try (Statement st = c.createStatement()) {
        st.execute(
            "INSERT INTO streams(stream_id, agent_id, epoch, watermark, first_seen_ns)"
                + " VALUES(1, 'agent-old', 'e1', 1, 1)");
        st.execute(
            "INSERT INTO events(stream_id, seq, kind, event_time_ns, receive_time_ns, payload)"
                + " VALUES(1, 1, 10, 5, 6, x'01')");
      }
    }
    try (EventStore store = EventStore.open(file)) {
      assertTrue(store.alerts().insert("agent-old", 1, 1, 10, 5, 6, alert("r1", "high")));
      store.commit();
    }
    try (Connection c = SqliteFiles.openReader(file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
      for (int v = 1; v <= Schema.currentVersion(); v++) {
        assertTrue(rs.next());
        assertEquals(v, rs.getInt(1), "each migration applied once, in order");
      }
      assertFalse(rs.next());
      assertEquals(Schema.currentVersion(), Schema.storedVersion(c));
    }
    try (StoreReader reader = EventStore.openReadOnly(file)) {
      assertEquals(1, reader.countEvents());
      List<AlertRow> alerts = reader.latestAlerts(5);
      assertEquals(1, alerts.size());
      assertEquals("e1", alerts.get(0).epoch());
      assertEquals("", alerts.get(0).hostname(), "no agents row: host unknown");
      assertEquals(1, alerts.get(0).eventPayload()[0]);
    }
  }

  @Test
  void oneAlertPerRuleAndEventAndTheNewestAreListedOldestFirst() {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      for (long seq = 1; seq <= 3; seq++) {
        store.events().insertEvent(s.streamId(), seq, 10, seq, seq, new byte[] {(byte) seq});
        assertTrue(
            store.alerts().insert("agent-a", s.streamId(), seq, 10, seq, seq, alert("r1", "low")));
      }
      assertTrue(store.alerts().insert("agent-a", s.streamId(), 3, 10, 3, 3, alert("r2", null)));
      assertFalse(
          store.alerts().insert("agent-a", s.streamId(), 3, 10, 3, 3, alert("r2", "high")),
          "the same rule on the same event again");
      store.commit();
    }
    try (StoreReader reader = EventStore.openReadOnly(file)) {
      assertEquals(4, reader.countAlerts());
      List<AlertRow> newest = reader.latestAlerts(2);
      assertEquals(List.of(3L, 3L), newest.stream().map(AlertRow::seq).toList());
      assertEquals(List.of("r1", "r2"), newest.stream().map(AlertRow::ruleId).toList());
      assertNull(newest.get(1).level());
      assertEquals(3, newest.get(1).eventPayload()[0]);
    }
  }

  @Test
  void alertsAfterAnIdComeOldestFirstAndPaged() {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      for (long seq = 1; seq <= 4; seq++) {
        store.events().insertEvent(s.streamId(), seq, 10, seq, seq, new byte[] {(byte) seq});
        store.alerts().insert("agent-a", s.streamId(), seq, 10, seq, seq, alert("r1", "low"));
      }
      store.commit();
    }
    try (StoreReader reader = EventStore.openReadOnly(file)) {
      List<AlertRow> all = reader.alertsAfter(0, 10);
      assertEquals(List.of(1L, 2L, 3L, 4L), all.stream().map(AlertRow::seq).toList());
      long second = all.get(1).id();
      assertEquals(List.of(3L), reader.alertsAfter(second, 1).stream().map(AlertRow::seq).toList());
      assertEquals(List.of(), reader.alertsAfter(all.get(3).id(), 10));
    }
  }
}
