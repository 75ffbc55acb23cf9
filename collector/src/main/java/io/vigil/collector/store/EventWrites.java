package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
   * Inserts one event; returns false, storing nothing, if the stream already holds this seq (the
   * unique index's last line of defence against double storage).
   */
  public boolean insertEvent(
      long streamId, long seq, int kind, long eventTimeNs, long receiveTimeNs, byte[] payload) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR IGNORE INTO events(stream_id, seq, kind, event_time_ns, receive_time_ns,"
                  + " payload) VALUES(?, ?, ?, ?, ?, ?)");
      ps.setLong(1, streamId);
      ps.setLong(2, seq);
      ps.setInt(3, kind);
      ps.setLong(4, eventTimeNs);
      ps.setLong(5, receiveTimeNs);
      ps.setBytes(6, payload);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot insert event", e);
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
}
