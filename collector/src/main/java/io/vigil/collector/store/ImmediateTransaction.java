package io.vigil.collector.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One explicit {@code BEGIN IMMEDIATE} transaction on a connection that is otherwise in autocommit
 * mode, so that an idle connection holds no lock. Stateless.
 */
final class ImmediateTransaction {
  private ImmediateTransaction() {}

  /** The work of one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code body} and commits. When the body or the COMMIT throws, the transaction is rolled
   * back (a failed COMMIT, e.g. SQLITE_BUSY or a full disk, leaves it open, and the next BEGIN on
   * this connection would then fail) and that first failure is rethrown; a ROLLBACK that fails as
   * well is attached to it as suppressed rather than replacing it.
   */
  static <T> T run(Connection connection, Work<T> body) throws SQLException {
    // IMMEDIATE takes the write lock before the body reads what it checks.
    execute(connection, "BEGIN IMMEDIATE");
    try {
      T result = body.run();
      execute(connection, "COMMIT");
      return result;
    } catch (Throwable failure) {
      try {
        execute(connection, "ROLLBACK");
      } catch (SQLException | RuntimeException rollback) {
        failure.addSuppressed(rollback);
      }
      throw failure;
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(sql);
    }
  }
}
