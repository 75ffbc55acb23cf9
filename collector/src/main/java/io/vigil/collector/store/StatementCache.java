package io.vigil.collector.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Prepared statements of one connection, prepared once and reused. Not thread-safe. */
final class StatementCache implements AutoCloseable {
  private final Connection connection;
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  StatementCache(Connection connection) {
    this.connection = connection;
  }

  PreparedStatement get(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  /**
   * Closes and forgets every statement, so the next use prepares it again: after a failed
   * transaction, since the driver leaves a statement whose execution failed in some ways
   * (SQLITE_FULL) unusable ("statement is not executing") without saying so in {@code isClosed()}.
   */
  void reset() {
    try {
      close();
    } catch (SQLException e) {
      // a statement that cannot even close is one we are right to forget
    }
  }

  @Override
  public void close() throws SQLException {
    SQLException first = null;
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    statements.clear();
    if (first != null) {
      throw first;
    }
  }
}
