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

  /**
   * A Hello is being recorded: ends the agent's silence. A write, so that it comes first in the
   * Hello's transaction: a transaction that reads first cannot wait for the write lock (SQLite
   * refuses the upgrade at once when another connection writes).
   */
  public void endSilence(String agentId) {
    try {
      PreparedStatement ps =
          statements.get("UPDATE agents SET silent_since_ns=NULL WHERE agent_id=?");
      ps.setString(1, agentId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update agent " + agentId, e);
    }
  }

  /** A Hello was recorded: keeps the highest seq the agent says it spooled. */
  public void helloSeen(String agentId, long spooledSeq) {
    try {
      PreparedStatement ps = statements.get("UPDATE agents SET spooled_seq=? WHERE agent_id=?");
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
   * Declares silent since {@code nowNs} every agent not declared silent yet, last seen before
   * {@code beforeNs}, not connected and not revoked; returns them. Writes first (see {@link
   * #endSilence}), then reads back what it marked.
   *
   * @param connectedJson the ids of the connected agents as a JSON array of strings
   */
  public List<Quiet> markSilent(long beforeNs, long nowNs, String connectedJson) {
    try {
      PreparedStatement mark =
          statements.get(
              "UPDATE agents SET silent_since_ns=? WHERE silent_since_ns IS NULL"
                  + " AND last_seen_ns<? AND current_epoch IS NOT NULL"
                  + " AND agent_id NOT IN (SELECT value FROM json_each(?))"
                  + " AND NOT EXISTS (SELECT 1 FROM enrolled_agents e"
                  + " WHERE e.agent_id=agents.agent_id AND e.revoked_ns IS NOT NULL)");
      mark.setLong(1, nowNs);
      mark.setLong(2, beforeNs);
      mark.setString(3, connectedJson);
      if (mark.executeUpdate() == 0) {
        return List.of();
      }
      PreparedStatement ps =
          statements.get(
              "SELECT agent_id, current_epoch, last_seen_ns FROM agents WHERE silent_since_ns=?"
                  + " ORDER BY last_seen_ns");
      ps.setLong(1, nowNs);
      List<Quiet> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Quiet(rs.getString(1), rs.getString(2), rs.getLong(3)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot declare agents silent", e);
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
