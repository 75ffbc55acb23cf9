package io.vigil.collector.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.vigil.collector.sink.SinkAlert;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What one alert sink reads and writes in the store: the alerts after its cursor, in id order, and
 * the cursor itself ({@code sink_cursors}), which only ever moves forward.
 *
 * <p>Not thread-safe: one sink's thread owns it (its own connection, next to the ingest writer; the
 * cursor write waits up to the busy timeout for the writer's lock). Every method blocks on disk I/O
 * and throws {@link StoreException} when the database fails. The caller closes it.
 */
public final class SinkStore implements AutoCloseable {
  private static final String ALERT_COLUMNS =
      "a.id, a.agent_id, coalesce(nullif(a.hostname, ''),"
          + " (SELECT nullif(g.hostname, '') FROM agents g WHERE g.agent_id = a.agent_id),"
          + " a.agent_id), a.seq, a.event_kind,"
          + " a.event_time_ns, a.stored_ns, a.source, a.rule_id, a.title, a.level, a.tags,"
          + " a.matched_fields, a.process, a.indicator, a.group_key,"
          + " (SELECT count(*) FROM alert_events e WHERE e.alert_id = a.id AND e.role = 'member'),"
          + " a.rule_origin";

  private final Path file;
  private final Connection connection;
  private final StatementCache statements;

  private SinkStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
    this.statements = new StatementCache(connection);
  }

  /**
   * Opens the collector database (existing, at this code's schema version) for one sink.
   *
   * @throws StoreException when it is missing, of another version, or cannot be opened
   */
  public static SinkStore open(Path file) {
    return new SinkStore(file, SqliteFiles.openCurrent(file, "the alert sinks"));
  }

  /** The sink's delivered id, or empty when the sink has never run against this database. */
  public OptionalLong cursor(String sink) {
    try {
      PreparedStatement ps = statements.get("SELECT delivered_id FROM sink_cursors WHERE sink = ?");
      ps.setString(1, sink);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    } catch (SQLException e) {
      throw failed("read the cursor of sink " + sink, e);
    }
  }

  /**
   * Stores that the sink has dealt with every alert up to {@code deliveredId}. A smaller id than
   * the stored one leaves it as it is: the cursor never goes backwards.
   */
  public void advance(String sink, long deliveredId, long nowNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO sink_cursors(sink, delivered_id, updated_ns) VALUES(?, ?, ?)"
                  + " ON CONFLICT(sink) DO UPDATE SET"
                  + " delivered_id = max(delivered_id, excluded.delivered_id),"
                  + " updated_ns = excluded.updated_ns");
      ps.setString(1, sink);
      ps.setLong(2, deliveredId);
      ps.setLong(3, nowNs);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed("write the cursor of sink " + sink, e);
    }
  }

  /** The id of the newest stored alert, 0 when there is none. */
  public long newestAlertId() {
    try {
      PreparedStatement ps = statements.get("SELECT coalesce(max(id), 0) FROM alerts");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw failed("read the newest alert id", e);
    }
  }

  /** How many stored alerts have an id in ({@code afterId}, {@code upToId}]. */
  public long countBetween(long afterId, long upToId) {
    try {
      PreparedStatement ps = statements.get("SELECT count(*) FROM alerts WHERE id > ? AND id <= ?");
      ps.setLong(1, afterId);
      ps.setLong(2, upToId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw failed("count alerts", e);
    }
  }

  /** Up to {@code limit} stored alerts with an id above {@code afterId}, lowest id first. */
  public List<SinkAlert> alertsAfter(long afterId, int limit) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT " + ALERT_COLUMNS + " FROM alerts a WHERE a.id > ? ORDER BY a.id LIMIT ?");
      ps.setLong(1, afterId);
      ps.setInt(2, limit);
      List<SinkAlert> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(alert(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failed("read alerts after id " + afterId, e);
    }
  }

  private static SinkAlert alert(ResultSet rs) throws SQLException {
    AlertLine line =
        new AlertLine(
            rs.getLong(1),
            rs.getString(2),
            rs.getString(3),
            rs.getLong(4),
            rs.getInt(5),
            rs.getLong(6),
            rs.getLong(7),
            rs.getString(8),
            rs.getString(9),
            rs.getString(10),
            rs.getString(11),
            rs.getString(12),
            rs.getString(13),
            rs.getString(14),
            rs.getString(15),
            rs.getString(16),
            rs.getInt(17),
            rs.getString(18));
    return new SinkAlert(
        line.alertId(),
        line.agentId(),
        line.hostname(),
        line.source(),
        line.ruleId(),
        line.title(),
        line.level(),
        tags(line.tagsJson()),
        line.eventTimeNs(),
        line.storedNs(),
        line.json());
  }

  /** The tags column is a JSON array of strings the collector wrote; anything else gives none. */
  private static List<String> tags(String json) {
    List<String> out = new ArrayList<>();
    try {
      JsonElement e = JsonParser.parseString(json);
      if (e instanceof JsonArray array) {
        for (JsonElement item : array) {
          if (item.isJsonPrimitive()) {
            out.add(item.getAsString());
          }
        }
      }
    } catch (RuntimeException malformed) {
      // Written by the collector, so never malformed; a tag-filtered sink then sees no tags.
    }
    return out;
  }

  private StoreException failed(String what, SQLException e) {
    return new StoreException("cannot " + what + " in " + file, e);
  }

  @Override
  public void close() {
    try {
      statements.close();
      connection.close();
    } catch (SQLException e) {
      throw failed("close the sink connection", e);
    }
  }
}
