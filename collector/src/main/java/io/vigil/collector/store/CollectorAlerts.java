package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Alerts about the collector itself (its storage nearly full), which have no agent event to anchor
 * on. An alert needs a stream ({@code alerts.stream_id} is NOT NULL, and listing joins {@code
 * streams}): they hang on one pseudo stream, agent id and epoch {@value #AGENT}, created on first
 * use and never given events. Each alert's {@code seq} is its episode number for its rule (1, 2,
 * ...), so the unique (stream, seq, rule) index holds; {@code event_kind} is 0 and the "event" of
 * such an alert does not exist ({@code vigilctl alerts show} prints the alert without it).
 *
 * <p>Own connection, autocommit, one short transaction per call (waits up to the busy timeout for
 * the ingest writer). Thread-safe (synchronized); the caller closes it.
 */
public final class CollectorAlerts implements AutoCloseable {
  /** The agent id and epoch of the collector's pseudo stream. */
  public static final String AGENT = "collector";

  private final Connection connection;

  private CollectorAlerts(Connection connection) {
    this.connection = connection;
  }

  /** Opens the existing, current database (the event store created it). */
  public static CollectorAlerts open(Path file) {
    return new CollectorAlerts(SqliteFiles.openCurrent(file, "collector alerts"));
  }

  /**
   * Stores a new alert of {@code ruleId} (a new episode) and returns its id.
   *
   * @param matchedFieldsJson a JSON object of field name to array of string values
   */
  public synchronized long raise(
      String ruleId, String title, String level, String matchedFieldsJson, long nowNs) {
    try {
      connection.setAutoCommit(false);
      try {
        long stream = pseudoStream(nowNs);
        long seq;
        try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT coalesce(max(seq), 0) + 1 FROM alerts WHERE stream_id = ? AND rule_id = ?")) {
          ps.setLong(1, stream);
          ps.setString(2, ruleId);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
          }
        }
        long id;
        try (PreparedStatement ps =
            connection.prepareStatement(
                "INSERT INTO alerts(agent_id, stream_id, seq, event_kind, event_time_ns, stored_ns,"
                    + " rule_id, title, level, tags, matched_fields, rule_origin, source, state,"
                    + " count, first_event_time_ns, last_event_time_ns, hostname, updated_ns)"
                    + " VALUES(?, ?, ?, 0, ?, ?, ?, ?, ?, '[\"vigil.health\"]', ?,"
                    + " 'builtin:health', 'health', 'new', 1, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
          ps.setString(1, AGENT);
          ps.setLong(2, stream);
          ps.setLong(3, seq);
          ps.setLong(4, nowNs);
          ps.setLong(5, nowNs);
          ps.setString(6, ruleId);
          ps.setString(7, title);
          ps.setString(8, level);
          ps.setString(9, matchedFieldsJson);
          ps.setLong(10, nowNs);
          ps.setLong(11, nowNs);
          ps.setString(12, AGENT);
          ps.setLong(13, nowNs);
          ps.executeUpdate();
          try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            id = keys.getLong(1);
          }
        }
        connection.commit();
        return id;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot store collector alert " + ruleId, e);
    }
  }

  /** Appends a note by {@value #AGENT} to alert {@code id}'s history (the alert stays open). */
  public synchronized void note(long id, String note, long nowNs) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO alert_changes(alert_id, at_ns, actor, action, note)"
                + " VALUES(?, ?, ?, 'note', ?)")) {
      ps.setLong(1, id);
      ps.setLong(2, nowNs);
      ps.setString(3, AGENT);
      ps.setString(4, note);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot add a note to alert " + id, e);
    }
  }

  private long pseudoStream(long nowNs) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT OR IGNORE INTO streams(agent_id, epoch, first_seen_ns) VALUES(?, ?, ?)")) {
      ps.setString(1, AGENT);
      ps.setString(2, AGENT);
      ps.setLong(3, nowNs);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT stream_id FROM streams WHERE agent_id = ? AND epoch = ?")) {
      ps.setString(1, AGENT);
      ps.setString(2, AGENT);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing collector alerts failed", e);
    }
  }
}
