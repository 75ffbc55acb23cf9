package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads of the agents' health columns (newest status, spooled seq, silence) within the
 * store's current transaction. Confined to the store's thread, like {@link EventStore}.
 */
public final class HealthWrites {
  private final StatementCache statements;

  HealthWrites(StatementCache statements) {
    this.statements = statements;
  }

  /** An agent not heard from since {@code lastSeenNs}, on stream {@code epoch}. */
  public record Quiet(String agentId, String epoch, long lastSeenNs) {}

  /** The stream epoch of the agent's newest Hello; null for an agent never seen. */
  public String currentEpoch(String agentId) {
    try {
      PreparedStatement ps = statements.get("SELECT current_epoch FROM agents WHERE agent_id=?");
      ps.setString(1, agentId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read agent " + agentId, e);
    }
  }

  /** A Hello was recorded: keeps what the agent says it spooled and ends a silence. */
  public void helloSeen(String agentId, long spooledSeq) {
    try {
      PreparedStatement ps =
          statements.get("UPDATE agents SET spooled_seq=?, silent_since_ns=NULL WHERE agent_id=?");
      ps.setLong(1, spooledSeq);
      ps.setString(2, agentId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update agent " + agentId, e);
    }
  }

  /**
   * An AgentStatus event was stored: keeps it as the agent's newest unless a newer one (by event
   * time) is kept already, and counts its seq as spooled on the agent's current epoch.
   */
  public void statusStored(String agentId, String epoch, long seq, byte[] event, long eventTimeNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "UPDATE agents SET last_status=?, last_status_ns=? WHERE agent_id=?"
                  + " AND (last_status_ns IS NULL OR last_status_ns<=?)");
      ps.setBytes(1, event);
      ps.setLong(2, eventTimeNs);
      ps.setString(3, agentId);
      ps.setLong(4, eventTimeNs);
      ps.executeUpdate();
      PreparedStatement spooled =
          statements.get(
              "UPDATE agents SET spooled_seq=max(coalesce(spooled_seq, 0), ?)"
                  + " WHERE agent_id=? AND current_epoch=?");
      spooled.setLong(1, seq);
      spooled.setString(2, agentId);
      spooled.setString(3, epoch);
      spooled.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot record the status of agent " + agentId, e);
    }
  }

  /**
   * Agents not declared silent yet, last seen before {@code beforeNs}, not revoked, oldest first
   * (at most {@code limit}).
   */
  public List<Quiet> quietSince(long beforeNs, int limit) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT a.agent_id, a.current_epoch, a.last_seen_ns FROM agents a"
                  + " WHERE a.silent_since_ns IS NULL AND a.last_seen_ns<?"
                  + " AND a.current_epoch IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                  + " enrolled_agents e WHERE e.agent_id=a.agent_id AND e.revoked_ns IS NOT NULL)"
                  + " ORDER BY a.last_seen_ns LIMIT ?");
      ps.setLong(1, beforeNs);
      ps.setInt(2, limit);
      List<Quiet> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Quiet(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot look for silent agents", e);
    }
  }

  /** Declares the agent silent since {@code nowNs} (until its next Hello). */
  public void markSilent(String agentId, long nowNs) {
    try {
      PreparedStatement ps = statements.get("UPDATE agents SET silent_since_ns=? WHERE agent_id=?");
      ps.setLong(1, nowNs);
      ps.setString(2, agentId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update agent " + agentId, e);
    }
  }

  /** Whether an alert with this suppression key is not closed (the key is indexed). */
  public boolean hasOpenAlert(String dedupeKey) {
    try {
      PreparedStatement ps =
          statements.get("SELECT 1 FROM alerts WHERE dedupe_key=? AND state<>'closed' LIMIT 1");
      ps.setString(1, dedupeKey);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read alerts", e);
    }
  }
}
