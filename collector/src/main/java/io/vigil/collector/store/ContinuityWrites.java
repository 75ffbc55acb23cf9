package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads of gaps and holes within the store's current transaction (reads see its
 * uncommitted writes). Confined to the store's thread, like {@link EventStore}.
 */
public final class ContinuityWrites {
  private static final String HOLE_COLUMNS =
      "id, agent_id, epoch, first_seq, last_seq, detected_ns, explained, reported";

  private final StatementCache statements;

  ContinuityWrites(StatementCache statements) {
    this.statements = statements;
  }

  public void insertGap(GapRow g) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO gaps(agent_id, epoch, seq, reason, first_seq, last_seq, count,"
                  + " counts_by_kind, first_event_time_ns, last_event_time_ns, source)"
                  + " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, g.agentId());
      ps.setString(2, g.epoch());
      ps.setLong(3, g.seq());
      ps.setString(4, g.reason());
      ps.setLong(5, g.firstSeq());
      ps.setLong(6, g.lastSeq());
      ps.setLong(7, g.count());
      ps.setString(8, g.countsByKind());
      ps.setLong(9, g.firstEventTimeNs());
      ps.setLong(10, g.lastEventTimeNs());
      ps.setString(11, g.source());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot insert gap", e);
    }
  }

  /** Inserts a hole; its {@code id} is ignored and assigned by the database. */
  public void insertHole(HoleRow h) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO holes(agent_id, epoch, first_seq, last_seq, detected_ns, explained,"
                  + " reported) VALUES(?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, h.agentId());
      ps.setString(2, h.epoch());
      ps.setLong(3, h.firstSeq());
      ps.setLong(4, h.lastSeq());
      ps.setLong(5, h.detectedNs());
      ps.setInt(6, h.explained() ? 1 : 0);
      ps.setInt(7, h.reported() ? 1 : 0);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot insert hole", e);
    }
  }

  /** Unexplained holes of one stream that share at least one seq with [firstSeq, lastSeq]. */
  public List<HoleRow> unexplainedHolesOverlapping(
      String agentId, String epoch, long firstSeq, long lastSeq) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT "
                  + HOLE_COLUMNS
                  + " FROM holes WHERE agent_id=? AND epoch=? AND explained=0"
                  + " AND first_seq<=? AND last_seq>=? ORDER BY first_seq");
      ps.setString(1, agentId);
      ps.setString(2, epoch);
      ps.setLong(3, lastSeq);
      ps.setLong(4, firstSeq);
      return holes(ps);
    } catch (SQLException e) {
      throw new StoreException("cannot read holes", e);
    }
  }

  /** Unexplained holes not yet reported that were detected at or before {@code detectedNs}. */
  public List<HoleRow> unreportedHolesDetectedBy(long detectedNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "SELECT "
                  + HOLE_COLUMNS
                  + " FROM holes WHERE explained=0 AND reported=0 AND detected_ns<=? ORDER BY id");
      ps.setLong(1, detectedNs);
      return holes(ps);
    } catch (SQLException e) {
      throw new StoreException("cannot read holes", e);
    }
  }

  public void deleteHole(long id) {
    update("DELETE FROM holes WHERE id=?", id);
  }

  public void markHoleReported(long id) {
    update("UPDATE holes SET reported=1 WHERE id=?", id);
  }

  public long countUnexplainedHoles() {
    try (ResultSet rs =
        statements.get("SELECT count(*) FROM holes WHERE explained=0").executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new StoreException("cannot count holes", e);
    }
  }

  private void update(String sql, long id) {
    try {
      PreparedStatement ps = statements.get(sql);
      ps.setLong(1, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update hole " + id, e);
    }
  }

  static List<HoleRow> holes(PreparedStatement ps) throws SQLException {
    List<HoleRow> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(
            new HoleRow(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getInt(7) != 0,
                rs.getInt(8) != 0));
      }
    }
    return out;
  }
}
