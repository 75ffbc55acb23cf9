package io.vigil.collector.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The schema and its migrations. Each migration is applied once, in order, in one transaction
 * together with the {@code schema_version} row that records it, so a crash mid-migration leaves the
 * previous version intact.
 */
final class Schema {
  /**
   * Migration {@code i} brings the schema from version {@code i} to {@code i + 1}. Append only:
   * never edit a migration that has shipped.
   */
  private static final List<List<String>> MIGRATIONS =
      List.of(
          List.of(
              """
              CREATE TABLE agents(
                agent_id TEXT PRIMARY KEY,
                hostname TEXT,
                host_info BLOB,
                agent_version TEXT,
                first_seen_ns INTEGER NOT NULL,
                last_seen_ns INTEGER NOT NULL,
                clock_skew_ns INTEGER,
                current_epoch TEXT)""",
              // stream_id keeps the 72 bytes of agent id + epoch out of every event row.
              """
              CREATE TABLE streams(
                stream_id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                watermark INTEGER NOT NULL DEFAULT 0,
                first_seen_ns INTEGER NOT NULL,
                UNIQUE(agent_id, epoch))""",
              """
              CREATE TABLE events(
                id INTEGER PRIMARY KEY,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                receive_time_ns INTEGER NOT NULL,
                payload BLOB NOT NULL)""",
              // Unique: the database itself refuses a second copy of a seq, whatever the ingest
              // code believes the watermark to be. Its cost is measured in the ADR.
              "CREATE UNIQUE INDEX events_stream_seq ON events(stream_id, seq)",
              // For people at the sqlite3 prompt: events with their agent and epoch spelled out.
              """
              CREATE VIEW events_v AS
                SELECT e.id, s.agent_id, s.epoch, e.seq, e.kind, e.event_time_ns,
                       e.receive_time_ns, e.payload
                FROM events e JOIN streams s ON s.stream_id = e.stream_id""",
              """
              CREATE TABLE gaps(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                seq INTEGER NOT NULL,
                reason TEXT NOT NULL,
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                count INTEGER NOT NULL,
                counts_by_kind TEXT NOT NULL,
                first_event_time_ns INTEGER NOT NULL,
                last_event_time_ns INTEGER NOT NULL,
                source TEXT NOT NULL)""",
              """
              CREATE TABLE holes(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                first_seq INTEGER NOT NULL,
                last_seq INTEGER NOT NULL,
                detected_ns INTEGER NOT NULL,
                explained INTEGER NOT NULL DEFAULT 0,
                reported INTEGER NOT NULL DEFAULT 0)""",
              """
              CREATE TABLE dead_letters(
                id INTEGER PRIMARY KEY,
                agent_id TEXT NOT NULL,
                epoch TEXT NOT NULL,
                seq INTEGER NOT NULL,
                received_ns INTEGER NOT NULL,
                reason TEXT NOT NULL,
                raw BLOB NOT NULL,
                raw_size INTEGER NOT NULL)""",
              // Keyed by agent too: one agent must not be able to pre-empt another agent's result
              // by sending a result under that agent's command id first.
              """
              CREATE TABLE command_results(
                agent_id TEXT NOT NULL,
                command_id TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT NOT NULL,
                finished_ns INTEGER NOT NULL,
                received_ns INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY(agent_id, command_id))"""),
          // Version 2: alerts, the findings of the detection engine on stored events.
          List.of(
              // AUTOINCREMENT: an alert id is what an analyst quotes in a ticket, so it is never
              // reused, even after the newest alerts were deleted. (stream_id, seq) is the event's
              // key; agent_id is copied in so that per-agent queries need no join. tags is a JSON
              // array of strings, matched_fields a JSON object of field name to array of values.
              """
              CREATE TABLE alerts(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                agent_id TEXT NOT NULL,
                stream_id INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                event_kind INTEGER NOT NULL,
                event_time_ns INTEGER NOT NULL,
                stored_ns INTEGER NOT NULL,
                rule_id TEXT NOT NULL,
                title TEXT NOT NULL,
                level TEXT,
                tags TEXT NOT NULL,
                matched_fields TEXT NOT NULL,
                rule_origin TEXT NOT NULL)""",
              // One alert per rule and event, whatever the ingest code believes; also the index
              // from an event to its alerts.
              "CREATE UNIQUE INDEX alerts_event_rule ON alerts(stream_id, seq, rule_id)",
              """
              CREATE VIEW alerts_v AS
                SELECT a.id, a.agent_id, s.epoch, a.seq, a.event_kind, a.event_time_ns,
                       a.stored_ns, a.rule_id, a.title, a.level, a.tags, a.matched_fields,
                       a.rule_origin
                FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"""));

  private Schema() {}

  /** The version this code writes. */
  static int currentVersion() {
    return MIGRATIONS.size();
  }

  /** Brings the database to {@link #currentVersion()}; the connection must be in autocommit. */
  static void migrate(Connection c, long nowNs) throws SQLException {
    migrate(c, nowNs, currentVersion());
  }

  /**
   * Brings the database to {@code target} (at most {@link #currentVersion()}), as an older
   * collector would have left it; the connection must be in autocommit.
   */
  static void migrate(Connection c, long nowNs, int target) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS schema_version("
              + "version INTEGER PRIMARY KEY, applied_ns INTEGER NOT NULL)");
    }
    int version = storedVersion(c);
    if (version > currentVersion()) {
      throw new StoreException(
          "database schema version "
              + version
              + " is newer than this collector understands ("
              + currentVersion()
              + "); use a newer collector");
    }
    for (int v = version; v < target; v++) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        for (String sql : MIGRATIONS.get(v)) {
          st.execute(sql);
        }
        st.execute(
            "INSERT INTO schema_version(version, applied_ns) VALUES("
                + (v + 1)
                + ","
                + nowNs
                + ")");
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  static int storedVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }
}
