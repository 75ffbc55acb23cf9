package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.collector.store.AlertWrites.Outcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaV3MigrationTest {
  @TempDir Path dir;

  @Test
  void alertsOfAVersion2DatabaseStayReadableWithTheWorkflowDefaults() throws Exception {
    Path file = dir.resolve("vigil.db");
    // What a collector with alerts but before the workflow left on disk.
    try (Connection c = SqliteFiles.openWriter(file)) {
      Schema.migrate(c, 1, 2);
      try (Statement st = c.createStatement()) {
        st.execute(
            "INSERT INTO streams(stream_id, agent_id, epoch, watermark, first_seen_ns)"
                + " VALUES(1, 'agent-old', 'e1', 1, 1)");
        st.execute(
            "INSERT INTO events(stream_id, seq, kind, event_time_ns, receive_time_ns, payload)"
                + " VALUES(1, 1, 10, 5, 6, x'01')");
        st.execute(
            "INSERT INTO alerts(agent_id, stream_id, seq, event_kind, event_time_ns, stored_ns,"
                + " rule_id, title, level, tags, matched_fields, rule_origin) VALUES('agent-old',"
                + " 1, 1, 10, 5, 6, 'r1', 'old alert', 'high', '[]', '{}', '/rules/r1.yml')");
      }
    }
    try (EventStore store = EventStore.open(file)) {
      // The old alert is its rule's alert on that event: a replay does not add a second.
      NewAlert again = new NewAlert("r1", "old alert", "high", "[]", "{}", "/rules/r1.yml");
      assertEquals(
          Outcome.DUPLICATE,
          store
              .alerts()
              .insert(new AlertContext("agent-old", 1, 1, 10, 5, 6, null), again)
              .outcome());
      store.commit();
    }
    try (Connection c = SqliteFiles.openReader(file);
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT epoch, title, source, state, count, first_event_time_ns,"
                    + " last_event_time_ns, updated_ns, indicator, process, close_reason"
                    + " FROM alerts_v")) {
      assertEquals(Schema.currentVersion(), Schema.storedVersion(c));
      rs.next();
      assertEquals(
          List.of("e1", "old alert", "sigma", "new"),
          List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
      assertEquals(
          List.of(1L, 5L, 5L, 6L),
          List.of(rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
      assertNull(rs.getString(9));
      assertNull(rs.getString(10));
      assertNull(rs.getString(11));
      assertEquals(false, rs.next());
    }
  }
}
