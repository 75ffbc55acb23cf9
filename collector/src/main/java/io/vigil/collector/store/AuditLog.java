package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The operator audit log ({@code audit_log}): who called which command or admin call of the
 * operator API, on what, and how it ended. There is deliberately no method that updates or deletes
 * a row: the log is append-only for the collector.
 *
 * <p>Thread-safe (serialised on its own connection); every method blocks on disk I/O and waits up
 * to the busy timeout for the ingest writer's lock. The caller owns it and closes it.
 */
public final class AuditLog implements AutoCloseable {
  /**
   * The outcomes a row may have: {@code attempted} is written before a call acts, and a second row
   * with {@code ok} or {@code failed} once it has; {@code denied} is a call refused for its role.
   */
  public static final Set<String> OUTCOMES = Set.of("attempted", "ok", "denied", "failed");

  /**
   * Longest detail or arguments text stored, in chars: the log must not be a way to fill a disk.
   */
  static final int MAX_TEXT = 8192;

  private final Path file;
  private final Connection connection;

  private AuditLog(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the audit log of an existing, migrated collector database.
   *
   * @throws StoreException when the file is missing, not at this code's schema version, or cannot
   *     be opened
   */
  public static AuditLog open(Path file) {
    return new AuditLog(file, SqliteFiles.openCurrent(file, "the audit log"));
  }

  /**
   * Appends one row (its {@code id} is ignored) and returns it with the id it was stored under.
   *
   * @throws IllegalArgumentException for an unknown outcome
   */
  public synchronized AuditRow append(AuditRow r) {
    if (!OUTCOMES.contains(r.outcome())) {
      throw new IllegalArgumentException("unknown audit outcome " + r.outcome());
    }
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO audit_log(at_ns, operator, role, action, target, arguments, outcome,"
                + " detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, r.atNs());
      ps.setString(2, r.operator());
      ps.setString(3, r.role());
      ps.setString(4, r.action());
      ps.setString(5, bounded(r.target()));
      ps.setString(6, bounded(r.argumentsJson()));
      ps.setString(7, r.outcome());
      ps.setString(8, bounded(r.detail()));
      ps.executeUpdate();
      long id;
      try (PreparedStatement last = connection.prepareStatement("SELECT last_insert_rowid()");
          ResultSet rs = last.executeQuery()) {
        id = rs.next() ? rs.getLong(1) : 0;
      }
      return new AuditRow(
          id,
          r.atNs(),
          r.operator(),
          r.role(),
          r.action(),
          r.target(),
          r.argumentsJson(),
          r.outcome(),
          r.detail());
    } catch (SQLException e) {
      throw new StoreException("cannot write the audit log in " + file, e);
    }
  }

  /** The newest {@code limit} rows, newest first. */
  public synchronized List<AuditRow> newest(int limit) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT id, at_ns, operator, role, action, target, arguments, outcome, detail"
                + " FROM audit_log ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      List<AuditRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new AuditRow(
                  rs.getLong(1),
                  rs.getLong(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  rs.getString(8),
                  rs.getString(9)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read the audit log in " + file, e);
    }
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close " + file, e);
    }
  }
}
