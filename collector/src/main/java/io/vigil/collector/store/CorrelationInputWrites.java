package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What correlation rules were fed, within the store's current transaction: written with the event
 * whose finding it is, so that after a restart the correlation engine can be refilled with exactly
 * the findings that were committed. Confined to the store's thread, like {@link EventStore}.
 */
public final class CorrelationInputWrites {
  private final StatementCache statements;

  CorrelationInputWrites(StatementCache statements) {
    this.statements = statements;
  }

  /** Records one finding of {@code ruleId} on the stored event ({@code streamId}, {@code seq}). */
  public void insert(
      String ruleId, String agentId, long streamId, long seq, long eventTimeNs, String fieldsJson) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO correlation_inputs(rule_id, agent_id, stream_id, seq, event_time_ns,"
                  + " fields) VALUES(?, ?, ?, ?, ?, ?)");
      ps.setString(1, ruleId);
      ps.setString(2, agentId);
      ps.setLong(3, streamId);
      ps.setLong(4, seq);
      ps.setLong(5, eventTimeNs);
      ps.setString(6, fieldsJson);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot record correlation input of rule " + ruleId, e);
    }
  }

  /** Deletes the inputs of events before {@code eventTimeNs}; returns how many. */
  public int pruneBefore(long eventTimeNs) {
    try {
      PreparedStatement ps = statements.get("DELETE FROM correlation_inputs WHERE event_time_ns<?");
      ps.setLong(1, eventTimeNs);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot prune correlation inputs", e);
    }
  }

  /** Deletes agent {@code agentId}'s inputs of events before {@code eventTimeNs}. */
  public int pruneBefore(String agentId, long eventTimeNs) {
    try {
      PreparedStatement ps =
          statements.get("DELETE FROM correlation_inputs WHERE event_time_ns<? AND agent_id=?");
      ps.setLong(1, eventTimeNs);
      ps.setString(2, agentId);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot prune correlation inputs", e);
    }
  }

  /**
   * The inputs of events at or after {@code eventTimeNs}, oldest event first (ties in the order
   * they were recorded). All in memory: the caller bounds it by pruning what its windows no longer
   * reach.
   */
  public List<CorrelationInputRow> since(long eventTimeNs) {
    List<CorrelationInputRow> out = new ArrayList<>();
    forEachSince(eventTimeNs, out::add);
    return out;
  }

  /** {@link #since}, one row at a time, without holding them all. */
  public void forEachSince(long eventTimeNs, Consumer<CorrelationInputRow> each) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT rule_id, agent_id, stream_id, seq, event_time_ns, fields"
                  + " FROM correlation_inputs WHERE event_time_ns>=? ORDER BY event_time_ns, id");
      ps.setLong(1, eventTimeNs);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(
              new CorrelationInputRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  rs.getLong(5),
                  rs.getString(6)));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read correlation inputs", e);
    }
  }
}
