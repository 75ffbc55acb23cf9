package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Writes of alerts within the store's current transaction, so that an alert commits together with
 * its event or not at all. Confined to the store's thread, like {@link EventStore}.
 */
public final class AlertWrites {
  private final StatementCache statements;

  AlertWrites(StatementCache statements) {
    this.statements = statements;
  }

  /**
   * Stores one alert on the event ({@code streamId}, {@code seq}); returns false, storing nothing,
   * if that event already has an alert of this rule.
   *
   * @param storedNs when the collector received the event (its row's {@code receive_time_ns})
   */
  public boolean insert(
      String agentId,
      long streamId,
      long seq,
      int eventKind,
      long eventTimeNs,
      long storedNs,
      NewAlert alert) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR IGNORE INTO alerts(agent_id, stream_id, seq, event_kind, event_time_ns,"
                  + " stored_ns, rule_id, title, level, tags, matched_fields, rule_origin)"
                  + " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, agentId);
      ps.setLong(2, streamId);
      ps.setLong(3, seq);
      ps.setInt(4, eventKind);
      ps.setLong(5, eventTimeNs);
      ps.setLong(6, storedNs);
      ps.setString(7, alert.ruleId());
      ps.setString(8, alert.title());
      if (alert.level() == null) {
        ps.setNull(9, Types.VARCHAR);
      } else {
        ps.setString(9, alert.level());
      }
      ps.setString(10, alert.tagsJson());
      ps.setString(11, alert.matchedFieldsJson());
      ps.setString(12, alert.ruleOrigin());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot insert alert of rule " + alert.ruleId(), e);
    }
  }
}
