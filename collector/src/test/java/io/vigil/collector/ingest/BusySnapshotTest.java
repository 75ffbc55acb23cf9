package io.vigil.collector.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the ingest writer retries on: a transaction that read first, while another process
 * (vigilctl) committed, cannot write. Reproduced on a real database file.
 */
class BusySnapshotTest {
  @TempDir Path dir;

  @Test
  void aWriteAfterAnotherConnectionsCommitFailsWithBusySnapshotAndIsRecognised() throws Exception {
    Path db = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(db)) {
      store.events().stream("agent-1", "e1", 1L);
      store.commit();
      // The writer's transaction reads first...
      store.events().lastEventTimeByAgent();
      // ...another process commits a write...
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
          Statement st = other.createStatement()) {
        st.execute("PRAGMA busy_timeout=10000");
        st.execute("UPDATE agents SET hostname='x' WHERE 0");
        st.execute(
            "INSERT INTO alert_changes(alert_id, at_ns, actor, action) VALUES(1, 1, 'a', 'note')");
      }
      // ...and the writer's first write is refused at once, whatever the busy timeout.
      StoreException e =
          assertThrows(
              StoreException.class,
              () -> store.events().insertEvent(1, 1, 10, 1L, 1L, new byte[] {1}, null));
      assertTrue(BusySnapshot.is(e), e.toString());
      store.rollback();
      // Started again, it writes.
      assertTrue(store.events().insertEvent(1, 1, 10, 1L, 1L, new byte[] {1}, null));
      store.commit();
    }
    assertFalse(BusySnapshot.is(new StoreException("other", new java.sql.SQLException("x"))));
  }
}
