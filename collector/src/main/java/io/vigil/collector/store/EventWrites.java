package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes of streams, events and dead letters within the store's current transaction. Confined to
 * the store's thread, like {@link EventStore}.
 */
public final class EventWrites {
  private final StatementCache statements;

  EventWrites(StatementCache statements) {
    this.statements = statements;
  }

  /** Returns the stream, creating it with watermark 0 if it is new. */
  public StreamRef stream(String agentId, String epoch, long firstSeenNs) {
    try {
      PreparedStatement insert =
          statements.get(
              "INSERT OR IGNORE INTO streams(agent_id, epoch, watermark, first_seen_ns)"
                  + " VALUES(?, ?, 0, ?)");
      insert.setString(1, agentId);
      insert.setString(2, epoch);
      insert.setLong(3, firstSeenNs);
      insert.executeUpdate();
      PreparedStatement select =
          statements.get("SELECT stream_id, watermark FROM streams WHERE agent_id=? AND epoch=?");
      select.setString(1, agentId);
      select.setString(2, epoch);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          throw new StoreException("stream row vanished for agent " + agentId);
        }
        return new StreamRef(rs.getLong(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read stream of agent " + agentId, e);
    }
  }

  public void setWatermark(long streamId, long watermark) {
    try {
      PreparedStatement ps = statements.get("UPDATE streams SET watermark=? WHERE stream_id=?");
      ps.setLong(1, watermark);
      ps.setLong(2, streamId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot set watermark", e);
    }
  }

  /**
   * Inserts one event without an acting process; see {@link #insertEvent(long, long, int, long,
   * long, byte[], String)}.
   */
  public boolean insertEvent(
      long streamId, long seq, int kind, long eventTimeNs, long receiveTimeNs, byte[] payload) {
    return insertEvent(streamId, seq, kind, eventTimeNs, receiveTimeNs, payload, null);
  }

  /**
   * Inserts one event; returns false, storing nothing, if the stream already holds this seq (the
   * unique index's last line of defence against double storage).
   *
   * @param entityId the acting process's entity id (indexed: "everything this process did"), null
   *     when the event has none
   */
  public boolean insertEvent(
      long streamId,
      long seq,
      int kind,
      long eventTimeNs,
      long receiveTimeNs,
      byte[] payload,
      String entityId) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR IGNORE INTO events(stream_id, seq, kind, event_time_ns, receive_time_ns,"
                  + " payload, entity_id) VALUES(?, ?, ?, ?, ?, ?, ?)");
      ps.setLong(1, streamId);
      ps.setLong(2, seq);
      ps.setInt(3, kind);
      ps.setLong(4, eventTimeNs);
      ps.setLong(5, receiveTimeNs);
      ps.setBytes(6, payload);
      if (entityId == null) {
        ps.setNull(7, Types.VARCHAR);
      } else {
        ps.setString(7, entityId);
      }
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot insert event", e);
    }
  }

  /**
   * For each agent, the event time of the newest event its streams hold at or below their
   * watermarks: how far in event time the agent's stored history reaches (so a restarted collector
   * can tell which correlation inputs still matter). Normally the watermark's own event; when that
   * one was dead-lettered, the stored event before it. An agent with no stored event is absent. One
   * indexed lookup per stream.
   */
  public Map<String, Long> lastEventTimeByAgent() {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT agent_id, max(t) FROM (SELECT s.agent_id AS agent_id,"
                  + " (SELECT e.event_time_ns FROM events e WHERE e.stream_id=s.stream_id"
                  + " AND e.seq<=s.watermark ORDER BY e.seq DESC LIMIT 1) AS t FROM streams s)"
                  + " WHERE t IS NOT NULL GROUP BY agent_id");
      Map<String, Long> out = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read agents' last event times", e);
    }
  }

  public void insertDeadLetter(
      String agentId,
      String epoch,
      long seq,
      long receivedNs,
      String reason,
      byte[] raw,
      long rawSize) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO dead_letters(agent_id, epoch, seq, received_ns, reason, raw, raw_size)"
                  + " VALUES(?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, agentId);
      ps.setString(2, epoch);
      ps.setLong(3, seq);
      ps.setLong(4, receivedNs);
      ps.setString(5, reason);
      ps.setBytes(6, raw);
      ps.setLong(7, rawSize);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot insert dead letter", e);
    }
  }

  /**
   * The kind and acting process of the stored event ({@code streamId}, {@code seq}); null when it
   * is not stored.
   */
  public StoredEventFacts facts(long streamId, long seq) {
    try {
      PreparedStatement ps =
          statements.get("SELECT kind, entity_id FROM events WHERE stream_id=? AND seq=?");
      ps.setLong(1, streamId);
      ps.setLong(2, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new StoredEventFacts(rs.getInt(1), rs.getString(2)) : null;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read stored event", e);
    }
  }

  /** A stored event's kind and acting process's entity id (null when none). */
  public record StoredEventFacts(int kind, String entityId) {}
}
