package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertWrites.Outcome;
import io.vigil.collector.store.AlertWrites.Result;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertSuppressionTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_700_000_000L * S;

  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void setUp() {
    file = dir.resolve("vigil.db");
  }

  private static NewAlert keyed(String ruleId, String dedupeKey) {
    return new NewAlert(
        "sigma",
        ruleId,
        "title " + ruleId,
        "high",
        "[]",
        "{\"Image\":[\"/usr/bin/id\"]}",
        "/rules/x.yml",
        dedupeKey,
        null,
        null,
        List.of());
  }

  /** Stores event {@code seq} at {@code timeNs} and raises {@code alert} on it. */
  private static Result raise(EventStore store, long seq, long timeNs, NewAlert alert) {
    StreamRef s = store.events().stream("agent-a", "e1", 1);
    store.events().insertEvent(s.streamId(), seq, 10, timeNs, timeNs + 5, new byte[] {1});
    return store
        .alerts()
        .insert(
            new AlertContext("agent-a", s.streamId(), seq, 10, timeNs, timeNs + 5, null), alert);
  }

  private long query(String sql) throws Exception {
    try (Connection c = SqliteFiles.openReader(file);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aThousandIdenticalMatchesInAMinuteMakeOneAlertWithACount() throws Exception {
    long firstId;
    try (EventStore store = EventStore.open(file)) {
      Result first = raise(store, 1, T0, keyed("r1", "k"));
      assertEquals(Outcome.INSERTED, first.outcome());
      firstId = first.alertId();
      for (int i = 2; i <= 1000; i++) {
        Result r = raise(store, i, T0 + i * 50_000_000L, keyed("r1", "k")); // 50 s in all
        assertEquals(new Result(Outcome.FOLDED, firstId, i), r);
      }
      store.commit();
    }
    assertEquals(1, query("SELECT count(*) FROM alerts"));
    assertEquals(1000, query("SELECT count FROM alerts WHERE id=" + firstId));
    assertEquals(T0, query("SELECT first_event_time_ns FROM alerts"));
    assertEquals(T0 + 1000 * 50_000_000L, query("SELECT last_event_time_ns FROM alerts"));
    assertEquals(T0 + 1000 * 50_000_000L + 5, query("SELECT updated_ns FROM alerts"));
    assertEquals(
        AlertWrites.MAX_FOLDED_EVENTS,
        query(
            "SELECT count(*) FROM alert_events WHERE alert_id=" + firstId + " AND role='folded'"));
    assertEquals(
        2,
        query("SELECT min(seq) FROM alert_events"),
        "the first folded matches are the ones kept");
  }

  @Test
  void aMatchOutsideTheWindowOfTheAlertsFirstEventStartsANewAlert() throws Exception {
    try (EventStore store = EventStore.open(file)) {
      long a = raise(store, 1, T0, keyed("r1", "k")).alertId();
      assertEquals(Outcome.FOLDED, raise(store, 2, T0 + 59 * S, keyed("r1", "k")).outcome());
      // Out of order: an earlier event within the window folds in and moves the start back.
      assertEquals(Outcome.FOLDED, raise(store, 3, T0 - 30 * S, keyed("r1", "k")).outcome());
      // 60 s after the (new) first event is outside: |t - first| must be below the window.
      Result b = raise(store, 4, T0 + 30 * S, keyed("r1", "k"));
      assertEquals(Outcome.INSERTED, b.outcome());
      assertNotEquals(a, b.alertId());
      // The newest open alert of the key within the window is the one folded into.
      assertEquals(
          new Result(Outcome.FOLDED, b.alertId(), 2),
          raise(store, 5, T0 + 20 * S, keyed("r1", "k")));
      store.commit();
    }
    assertEquals(T0 - 30 * S, query("SELECT first_event_time_ns FROM alerts WHERE id=1"));
    assertEquals(T0 + 59 * S, query("SELECT last_event_time_ns FROM alerts WHERE id=1"));
    assertEquals(3, query("SELECT count FROM alerts WHERE id=1"));
  }

  @Test
  void aClosedAlertIsNeverFoldedInto() throws Exception {
    long a;
    try (EventStore store = EventStore.open(file)) {
      a = raise(store, 1, T0, keyed("r1", "k")).alertId();
      store.commit();
      try (Connection c = SqliteFiles.openWriter(file);
          Statement st = c.createStatement()) {
        st.execute("UPDATE alerts SET state='closed', close_reason='benign' WHERE id=" + a);
      }
      Result r = raise(store, 2, T0 + S, keyed("r1", "k"));
      assertEquals(Outcome.INSERTED, r.outcome());
      assertNotEquals(a, r.alertId());
      store.commit();
      try (Connection c = SqliteFiles.openWriter(file);
          Statement st = c.createStatement()) {
        st.execute("UPDATE alerts SET state='acknowledged' WHERE id=" + r.alertId());
      }
      assertEquals(
          new Result(Outcome.FOLDED, r.alertId(), 2),
          raise(store, 3, T0 + 2 * S, keyed("r1", "k")),
          "an acknowledged alert still counts");
      store.commit();
    }
    assertEquals(1, query("SELECT count FROM alerts WHERE id=" + a));
  }

  @Test
  void differentKeysNoKeyOrNoWindowNeverFold() throws Exception {
    try (EventStore store = EventStore.open(file)) {
      assertEquals(Outcome.INSERTED, raise(store, 1, T0, keyed("r1", "k1")).outcome());
      assertEquals(Outcome.INSERTED, raise(store, 2, T0, keyed("r1", "k2")).outcome());
      assertEquals(Outcome.INSERTED, raise(store, 3, T0, keyed("r1", null)).outcome());
      assertEquals(Outcome.INSERTED, raise(store, 4, T0, keyed("r1", null)).outcome());
      assertEquals(Outcome.FOLDED, raise(store, 5, T0, keyed("r1", "k1")).outcome());
      store.alerts().setSuppressionWindow(Duration.ZERO);
      assertEquals(Outcome.INSERTED, raise(store, 6, T0, keyed("r1", "k1")).outcome());
      store.alerts().setSuppressionWindow(Duration.ofHours(1));
      assertEquals(Outcome.FOLDED, raise(store, 7, T0 + 3000 * S, keyed("r1", "k2")).outcome());
      assertThrows(
          IllegalArgumentException.class,
          () -> store.alerts().setSuppressionWindow(Duration.ofSeconds(-1)));
      store.commit();
    }
    assertEquals(5, query("SELECT count(*) FROM alerts"));
    assertEquals(2, query("SELECT count FROM alerts WHERE dedupe_key='k2'"));
  }

  @Test
  void theSameRuleOnTheSameEventIsADuplicateWhetherStoredOrFolded() throws Exception {
    try (EventStore store = EventStore.open(file)) {
      Result a = raise(store, 1, T0, keyed("r1", "k"));
      assertEquals(
          new Result(Outcome.DUPLICATE, a.alertId(), 1), raise(store, 1, T0, keyed("r1", "k")));
      assertEquals(Outcome.FOLDED, raise(store, 2, T0 + S, keyed("r1", "k")).outcome());
      assertEquals(
          new Result(Outcome.DUPLICATE, a.alertId(), 2), raise(store, 2, T0 + S, keyed("r1", "k")));
      // Another rule on the same event is its own alert.
      assertEquals(Outcome.INSERTED, raise(store, 1, T0, keyed("r2", "k-r2")).outcome());
      // The old API says whether a new row was stored.
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      assertEquals(
          false, store.alerts().insert("agent-a", s.streamId(), 1, 10, T0, T0, keyed("r1", "k")));
      store.commit();
    }
    assertEquals(2, query("SELECT count FROM alerts WHERE rule_id='r1'"));
    assertEquals(1, query("SELECT count(*) FROM alert_events"));
  }

  @Test
  void aRolledBackTransactionLeavesNoFoldsAndNoAlerts() throws Exception {
    try (EventStore store = EventStore.open(file)) {
      long a = raise(store, 1, T0, keyed("r1", "k")).alertId();
      store.commit();
      for (int i = 2; i <= 5; i++) {
        assertEquals(Outcome.FOLDED, raise(store, i, T0 + i, keyed("r1", "k")).outcome());
      }
      assertEquals(Outcome.INSERTED, raise(store, 6, T0, keyed("r9", "other")).outcome());
      store.rollback();
      // The writer retries the same batch: it folds as if the first try never happened.
      for (int i = 2; i <= 3; i++) {
        assertEquals(new Result(Outcome.FOLDED, a, i), raise(store, i, T0 + i, keyed("r1", "k")));
      }
      assertEquals(Outcome.INSERTED, raise(store, 6, T0, keyed("r9", "other")).outcome());
      store.commit();
    }
    assertEquals(3, query("SELECT count FROM alerts WHERE rule_id='r1'"));
    assertEquals(T0 + 3, query("SELECT last_event_time_ns FROM alerts WHERE rule_id='r1'"));
    assertEquals(2, query("SELECT count(*) FROM alert_events"));
    assertEquals(2, query("SELECT count(*) FROM alerts"));
  }

  @Test
  void theFoldLookupIsARangeOnTheDedupeIndex() throws Exception {
    try (EventStore store = EventStore.open(file)) {
      raise(store, 1, T0, keyed("r1", "k"));
      store.commit();
    }
    StringBuilder plan = new StringBuilder();
    try (Connection c = SqliteFiles.openReader(file);
        PreparedStatement ps =
            c.prepareStatement("EXPLAIN QUERY PLAN " + AlertWrites.FOLD_TARGET_SQL)) {
      ps.setString(1, "k");
      ps.setLong(2, 0);
      ps.setLong(3, 1);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString("detail")).append('\n');
        }
      }
    }
    assertTrue(
        plan.toString()
            .contains(
                "USING INDEX alerts_dedupe (dedupe_key=? AND first_event_time_ns>? AND first_event_time_ns<?)"),
        plan.toString());
  }
}
