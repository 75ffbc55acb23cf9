package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Writes of agents and command results within the store's current transaction. Confined to the
 * store's thread, like {@link EventStore}.
 */
public final class AgentWrites {
  private final StatementCache statements;

  AgentWrites(StatementCache statements) {
    this.statements = statements;
  }

  private static void setNullable(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.INTEGER);
    } else {
      ps.setLong(index, value);
    }
  }

  /**
   * Records an agent's Hello: creates the agent or refreshes what it says about itself. A null
   * {@code clockSkewNs} (unknown) keeps the previous estimate.
   */
  public void upsert(
      String agentId,
      String hostname,
      byte[] hostInfo,
      String agentVersion,
      String currentEpoch,
      long seenNs,
      Long clockSkewNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO agents(agent_id, hostname, host_info, agent_version, first_seen_ns,"
                  + " last_seen_ns, clock_skew_ns, current_epoch) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
                  + " ON CONFLICT(agent_id) DO UPDATE SET hostname=excluded.hostname,"
                  + " host_info=excluded.host_info, agent_version=excluded.agent_version,"
                  + " last_seen_ns=max(last_seen_ns, excluded.last_seen_ns),"
                  + " clock_skew_ns=coalesce(excluded.clock_skew_ns, clock_skew_ns),"
                  + " current_epoch=excluded.current_epoch");
      ps.setString(1, agentId);
      ps.setString(2, hostname);
      ps.setBytes(3, hostInfo);
      ps.setString(4, agentVersion);
      ps.setLong(5, seenNs);
      ps.setLong(6, seenNs);
      setNullable(ps, 7, clockSkewNs);
      ps.setString(8, currentEpoch);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot record agent " + agentId, e);
    }
  }

  /**
   * Moves the agent's last-seen time forward and, when {@code clockSkewNs} is not null, replaces
   * its clock skew estimate. Does nothing for an agent that never said Hello.
   */
  public void touch(String agentId, long seenNs, Long clockSkewNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "UPDATE agents SET last_seen_ns=max(last_seen_ns, ?),"
                  + " clock_skew_ns=coalesce(?, clock_skew_ns) WHERE agent_id=?");
      ps.setLong(1, seenNs);
      setNullable(ps, 2, clockSkewNs);
      ps.setString(3, agentId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update agent " + agentId, e);
    }
  }

  /** Stores a command result unless this agent already reported one under the id; true if new. */
  public boolean insertCommandResult(CommandResultRow r) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR IGNORE INTO command_results(agent_id, command_id, outcome, detail,"
                  + " finished_ns, received_ns, payload) VALUES(?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, r.agentId());
      ps.setString(2, r.commandId());
      ps.setString(3, r.outcome());
      ps.setString(4, r.detail());
      ps.setLong(5, r.finishedNs());
      ps.setLong(6, r.receivedNs());
      ps.setBytes(7, r.payload());
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot store command result", e);
    }
  }
}
