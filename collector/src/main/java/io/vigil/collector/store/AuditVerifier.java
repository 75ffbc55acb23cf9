package io.vigil.collector.store;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Walks the audit log in id order and checks the chain: each row's {@code prev_hash} is its
 * predecessor's hash ({@link AuditChain#START} for the first), each row's hash is {@link
 * AuditChain#hash} of its content, and the last row is the one the head file names. The first
 * problem is reported; the walk goes on to the end to count the rows. Stateless; the caller holds
 * the transaction that makes the table and the head file consistent.
 */
final class AuditVerifier {
  private AuditVerifier() {}

  /**
   * Checks the log of {@code connection}.
   *
   * @param headFile the head file, or null to check the rows only (for {@link AuditLog#resetHead})
   */
  static AuditVerification check(Connection connection, Path headFile) throws SQLException {
    long rows = 0;
    long badId = 0;
    String problem = "";
    String expectedPrev = AuditChain.START;
    long lastId = 0;
    String lastHash = "";
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT " + AuditLog.COLUMNS + ", prev_hash FROM audit_log ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        AuditRow row = AuditLog.row(rs);
        String prev = rs.getString(11);
        rows++;
        if (problem.isEmpty()) {
          String why = rowProblem(row, prev, expectedPrev, lastId);
          if (why != null) {
            badId = row.id();
            problem = why;
          }
        }
        expectedPrev = row.hash();
        lastId = row.id();
        lastHash = row.hash();
      }
    }
    if (problem.isEmpty() && headFile != null) {
      Finding f = headProblem(connection, headFile, rows, lastId, lastHash);
      problem = f.problem();
      badId = f.badId();
    }
    return new AuditVerification(problem.isEmpty(), rows, badId, problem, lastHash);
  }

  private static String rowProblem(AuditRow row, String prev, String expectedPrev, long prevId) {
    if (row.hash().isEmpty()) {
      return "row " + row.id() + " has no hash: it was never chained, or its hash was erased";
    }
    if (!prev.equals(expectedPrev)) {
      return prevId == 0
          ? "row "
              + row.id()
              + " is the first row but does not start the chain: rows before it were deleted"
          : "row "
              + row.id()
              + " does not follow row "
              + prevId
              + " (its prev_hash is not that row's hash): rows between them were deleted or"
              + " inserted";
    }
    if (!AuditChain.hash(prev, row).equals(row.hash())) {
      return "row " + row.id() + " does not match its hash: its content was modified";
    }
    return null;
  }

  /** A problem at the end of the log and the row it names (0: none). */
  private record Finding(String problem, long badId) {
    Finding(String problem) {
      this(problem, 0);
    }
  }

  private static Finding headProblem(
      Connection connection, Path headFile, long rows, long lastId, String lastHash)
      throws SQLException {
    Optional<AuditHead> head;
    try {
      head = AuditHead.read(headFile);
    } catch (IOException e) {
      return new Finding(
          "the head file cannot be read (" + e.getMessage() + "): " + AuditLog.RESET_HINT);
    }
    if (head.isEmpty()) {
      return new Finding(
          rows == 0
              ? ""
              : "the head file "
                  + headFile
                  + " is missing, so rows deleted at the end of the log would not show: "
                  + AuditLog.RESET_HINT);
    }
    AuditHead h = head.get();
    if (h.id() > lastId) {
      return new Finding(
          "the head file records "
              + h
              + " but the log ends at row "
              + lastId
              + ": the last rows were deleted (or a backup older than the head file was restored: "
              + AuditLog.RESET_HINT
              + ")");
    }
    if (h.id() < lastId) {
      return new Finding(
          "rows after row "
              + h.id()
              + " (up to "
              + lastId
              + ") are not covered by the head file: added outside the collector, or the head file"
              + " was replaced",
          firstAfter(connection, h.id()));
    }
    if (!h.hash().equals(lastHash)) {
      return new Finding(
          "the last row "
              + lastId
              + " does not have the hash the head file records: the chain was rewritten",
          lastId);
    }
    return new Finding("");
  }

  private static long firstAfter(Connection connection, long id) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT min(id) FROM audit_log WHERE id > ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }
}
