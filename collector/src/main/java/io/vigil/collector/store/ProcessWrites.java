package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The process table, within the store's current transaction: every exec the collector stored, so
 * that an alert can name its acting process's parent chain (see {@link ProcessChain}). Strings are
 * kept to {@link ProcessContextJson#MAX_FIELD_BYTES} each; the event row keeps the full report.
 * Confined to the store's thread, like {@link EventStore}.
 */
public final class ProcessWrites {
  private final StatementCache statements;

  ProcessWrites(StatementCache statements) {
    this.statements = statements;
  }

  /**
   * Records the process an exec event started (stored event {@code streamId}, {@code seq}). A
   * replay of the same exec, or an older exec of the same entity id arriving late, leaves a newer
   * row as it is.
   *
   * @throws IllegalArgumentException if {@code p} is not an exec
   */
  public void recordExec(
      String agentId, long streamId, long seq, long eventTimeNs, ProcessFacts p) {
    if (!p.exec()) {
      throw new IllegalArgumentException("not an exec: process " + p.entityId());
    }
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO processes(agent_id, entity_id, pid, parent_entity_id, parent_pid,"
                  + " image, command_line, user, session_id, start_time_ns, exec_time_ns,"
                  + " stream_id, seq) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT(agent_id, entity_id) DO UPDATE SET pid=excluded.pid,"
                  + " parent_entity_id=excluded.parent_entity_id,"
                  + " parent_pid=excluded.parent_pid, image=excluded.image,"
                  + " command_line=excluded.command_line, user=excluded.user,"
                  + " session_id=excluded.session_id, start_time_ns=excluded.start_time_ns,"
                  + " exec_time_ns=excluded.exec_time_ns, stream_id=excluded.stream_id,"
                  + " seq=excluded.seq WHERE excluded.exec_time_ns >= processes.exec_time_ns");
      boolean hasParent = !p.parentEntityId().isEmpty();
      ps.setString(1, agentId);
      ps.setString(2, p.entityId());
      ps.setLong(3, p.pid());
      setText(ps, 4, hasParent ? p.parentEntityId() : null);
      if (hasParent || p.parentPid() != 0) {
        ps.setLong(5, p.parentPid());
      } else {
        ps.setNull(5, Types.INTEGER);
      }
      ps.setString(6, bounded(p.image()));
      ps.setString(7, bounded(p.commandLine()));
      setText(ps, 8, p.user().isEmpty() ? null : bounded(p.user()));
      if (p.sessionId() == -1) {
        ps.setNull(9, Types.INTEGER);
      } else {
        ps.setLong(9, p.sessionId());
      }
      if (p.startTimeNs() == 0) {
        ps.setNull(10, Types.INTEGER);
      } else {
        ps.setLong(10, p.startTimeNs());
      }
      ps.setLong(11, eventTimeNs);
      ps.setLong(12, streamId);
      ps.setLong(13, seq);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot record process of agent " + agentId, e);
    }
  }

  /**
   * Records that the collector stored an event of agent {@code agentId}'s process {@code entityId}
   * at or before {@code receivedNs} (processes.last_event_ns; it never moves back). No row, no-op:
   * its exec was not stored.
   */
  public void markActive(String agentId, String entityId, long receivedNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "UPDATE processes SET last_event_ns = ? WHERE agent_id = ? AND entity_id = ?"
                  + " AND coalesce(last_event_ns, 0) < ?");
      ps.setLong(1, receivedNs);
      ps.setString(2, agentId);
      ps.setString(3, entityId);
      ps.setLong(4, receivedNs);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot mark process of agent " + agentId + " active", e);
    }
  }

  /** The acting process's context for an alert: itself and its parent chain, as JSON. */
  String contextJson(String agentId, ProcessFacts acting) {
    return ProcessContextJson.of(ProcessChain.walk(acting, id -> find(agentId, id)));
  }

  /**
   * The agent's process {@code entityId} as an alert's acting process, from the table (for an alert
   * whose event is not at hand, a correlation's anchor); null when the table lacks it.
   */
  public ProcessFacts factsOf(String agentId, String entityId) {
    ProcessChain.Node n = find(agentId, entityId);
    if (n == null) {
      return null;
    }
    return new ProcessFacts(
        false,
        entityId,
        n.pid(),
        n.image(),
        n.commandLine(),
        n.user(),
        0,
        n.parentEntityId(),
        0,
        "",
        "",
        n.sessionId());
  }

  /** The agent's process {@code entityId} from the table, null when it has no row. */
  ProcessChain.Node find(String agentId, String entityId) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT pid, parent_entity_id, image, command_line, user, session_id"
                  + " FROM processes WHERE agent_id=? AND entity_id=?");
      ps.setString(1, agentId);
      ps.setString(2, entityId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        long session = rs.getLong(6);
        if (rs.wasNull()) {
          session = -1;
        }
        return new ProcessChain.Node(
            entityId,
            rs.getLong(1),
            nullToEmpty(rs.getString(2)),
            nullToEmpty(rs.getString(3)),
            nullToEmpty(rs.getString(4)),
            nullToEmpty(rs.getString(5)),
            session,
            true);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read process of agent " + agentId, e);
    }
  }

  private static String bounded(String s) {
    return ProcessContextJson.bounded(s, ProcessContextJson.MAX_FIELD_BYTES);
  }

  private static void setText(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
