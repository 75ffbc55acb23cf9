package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The integrity mirror's rows within the store's current transaction: the mirror of each agent's
 * baseline, the staged parts of a baseline being received, and each agent's bookkeeping. Committed
 * with the events that changed them, so a restart or a re-sent batch finds the mirror exactly as
 * the committed events left it. Paths are the UTF-8 bytes of the path, stored as BLOBs: rows come
 * back in {@code FimDigest}'s path order (see the schema). Nothing is held in memory between calls;
 * whole-mirror reads stream row by row. Confined to the store's thread, like {@link EventStore}.
 */
public final class FimWrites {
  /** One row of a mirror or staged baseline, in path order. */
  @FunctionalInterface
  public interface Row {
    void accept(byte[] path, byte[] state);
  }

  /** A path whose state differs in bytes between the mirror and a staged baseline. */
  @FunctionalInterface
  public interface Difference {
    /**
     * @param mirror the mirror's state, null when the mirror lacks the path
     * @param staged the staged state, null when the staged baseline lacks the path
     */
    void accept(byte[] path, byte[] mirror, byte[] staged);
  }

  private final StatementCache statements;

  FimWrites(StatementCache statements) {
    this.statements = statements;
  }

  /** The agent's bookkeeping; {@link FimAgentRow#empty} when it has none. */
  public FimAgentRow agent(String agentId) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT baseline_id, entries, digest, following, unverified_id, staging_id,"
                  + " staging_reason, staging_parts, staging_last_part, staging_entries,"
                  + " staging_refused, updated_ns FROM fim_agents WHERE agent_id=?");
      ps.setString(1, agentId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return FimAgentRow.empty(agentId);
        }
        return new FimAgentRow(
            agentId,
            rs.getString(1),
            rs.getLong(2),
            rs.getString(3),
            rs.getInt(4) != 0,
            rs.getString(5),
            rs.getString(6),
            rs.getString(7),
            rs.getLong(8),
            rs.getLong(9),
            rs.getLong(10),
            rs.getInt(11) != 0,
            rs.getLong(12));
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read integrity mirror state of agent " + agentId, e);
    }
  }

  public void saveAgent(FimAgentRow r) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR REPLACE INTO fim_agents(agent_id, baseline_id, entries, digest,"
                  + " following, unverified_id, staging_id, staging_reason, staging_parts,"
                  + " staging_last_part, staging_entries, staging_refused, updated_ns)"
                  + " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, r.agentId());
      text(ps, 2, r.baselineId());
      ps.setLong(3, r.entries());
      text(ps, 4, r.digest());
      ps.setInt(5, r.following() ? 1 : 0);
      text(ps, 6, r.unverifiedId());
      text(ps, 7, r.stagingId());
      text(ps, 8, r.stagingReason());
      ps.setLong(9, r.stagingParts());
      ps.setLong(10, r.stagingLastPart());
      ps.setLong(11, r.stagingEntries());
      ps.setInt(12, r.stagingRefused() ? 1 : 0);
      ps.setLong(13, r.updatedNs());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot save integrity mirror state of agent " + r.agentId(), e);
    }
  }

  /** The mirror's state of {@code path}; null when the mirror lacks it. */
  public byte[] mirrored(String agentId, byte[] path) {
    try {
      PreparedStatement ps =
          statements.get("SELECT state FROM fim_mirror WHERE agent_id=? AND path=?");
      ps.setString(1, agentId);
      ps.setBytes(2, path);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the integrity mirror of agent " + agentId, e);
    }
  }

  public void putMirrored(String agentId, byte[] path, byte[] state) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT OR REPLACE INTO fim_mirror(agent_id, path, state) VALUES(?, ?, ?)");
      ps.setString(1, agentId);
      ps.setBytes(2, path);
      ps.setBytes(3, state);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update the integrity mirror of agent " + agentId, e);
    }
  }

  /** Returns whether the mirror held the path. */
  public boolean deleteMirrored(String agentId, byte[] path) {
    try {
      PreparedStatement ps = statements.get("DELETE FROM fim_mirror WHERE agent_id=? AND path=?");
      ps.setString(1, agentId);
      ps.setBytes(2, path);
      return ps.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new StoreException("cannot update the integrity mirror of agent " + agentId, e);
    }
  }

  /** Every row of the agent's mirror, in path order. */
  public void forEachMirrored(String agentId, Row each) {
    try {
      PreparedStatement ps =
          statements.get("SELECT path, state FROM fim_mirror WHERE agent_id=? ORDER BY path");
      ps.setString(1, agentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(rs.getBytes(1), rs.getBytes(2));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the integrity mirror of agent " + agentId, e);
    }
  }

  /**
   * Stages one entry of a baseline being received; returns false when the path was staged already
   * (the later state replaces the earlier).
   */
  public boolean stage(String agentId, String baselineId, byte[] path, byte[] state) {
    try {
      PreparedStatement insert =
          statements.get(
              "INSERT OR IGNORE INTO fim_staging(agent_id, baseline_id, path, state)"
                  + " VALUES(?, ?, ?, ?)");
      insert.setString(1, agentId);
      insert.setString(2, baselineId);
      insert.setBytes(3, path);
      insert.setBytes(4, state);
      if (insert.executeUpdate() == 1) {
        return true;
      }
      PreparedStatement update =
          statements.get(
              "UPDATE fim_staging SET state=? WHERE agent_id=? AND baseline_id=? AND path=?");
      update.setBytes(1, state);
      update.setString(2, agentId);
      update.setString(3, baselineId);
      update.setBytes(4, path);
      update.executeUpdate();
      return false;
    } catch (SQLException e) {
      throw new StoreException("cannot stage an integrity baseline of agent " + agentId, e);
    }
  }

  /** Every staged entry of the agent's baseline {@code baselineId}, in path order. */
  public void forEachStaged(String agentId, String baselineId, Row each) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT path, state FROM fim_staging WHERE agent_id=? AND baseline_id=?"
                  + " ORDER BY path");
      ps.setString(1, agentId);
      ps.setString(2, baselineId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(rs.getBytes(1), rs.getBytes(2));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the staged baseline of agent " + agentId, e);
    }
  }

  /**
   * The paths whose stored bytes differ between the agent's mirror and its staged baseline {@code
   * baselineId}, in path order. Equal bytes are equal states; different bytes may still be equal
   * for integrity purposes (the caller compares them).
   */
  public void forEachDifference(String agentId, String baselineId, Difference each) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT s.path, m.state, s.state FROM fim_staging s LEFT JOIN fim_mirror m"
                  + " ON m.agent_id=s.agent_id AND m.path=s.path"
                  + " WHERE s.agent_id=? AND s.baseline_id=? AND m.state IS NOT s.state"
                  + " UNION ALL SELECT m.path, m.state, NULL FROM fim_mirror m"
                  + " WHERE m.agent_id=? AND NOT EXISTS (SELECT 1 FROM fim_staging s"
                  + " WHERE s.agent_id=m.agent_id AND s.baseline_id=? AND s.path=m.path)"
                  + " ORDER BY 1");
      ps.setString(1, agentId);
      ps.setString(2, baselineId);
      ps.setString(3, agentId);
      ps.setString(4, baselineId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          each.accept(rs.getBytes(1), rs.getBytes(2), rs.getBytes(3));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot compare the integrity mirror of agent " + agentId, e);
    }
  }

  /** Replaces the agent's mirror with its staged baseline {@code baselineId}. */
  public void replaceMirror(String agentId, String baselineId) {
    try {
      PreparedStatement delete = statements.get("DELETE FROM fim_mirror WHERE agent_id=?");
      delete.setString(1, agentId);
      delete.executeUpdate();
      PreparedStatement copy =
          statements.get(
              "INSERT INTO fim_mirror(agent_id, path, state) SELECT agent_id, path, state"
                  + " FROM fim_staging WHERE agent_id=? AND baseline_id=?");
      copy.setString(1, agentId);
      copy.setString(2, baselineId);
      copy.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot replace the integrity mirror of agent " + agentId, e);
    }
  }

  /** Deletes everything staged for the agent; returns how many entries. */
  public int clearStaging(String agentId) {
    try {
      PreparedStatement ps = statements.get("DELETE FROM fim_staging WHERE agent_id=?");
      ps.setString(1, agentId);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot clear the staged baseline of agent " + agentId, e);
    }
  }

  private static void text(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }
}
