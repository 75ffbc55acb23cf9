package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.Set;

/**
 * What retention needs to know before it deletes, read on its own read-only connection (WAL: never
 * waits for the writer). Tables without an index on time are searched by id, since ids grow with
 * the time a row was written: a binary search over the rowid is a few dozen index seeks however
 * large the table.
 *
 * <p>Not thread-safe: used by the retention thread only. The caller closes it.
 */
public final class RetentionReads implements AutoCloseable {
  /** The tables and time columns {@link #firstIdAtOrAfter} may search (ids grow with them). */
  private static final Set<String> SEARCHABLE =
      Set.of("events.receive_time_ns", "alerts.stored_ns");

  private final Connection connection;

  /**
   * Over {@code connection}, which the caller keeps owning when it does not call {@link #close}.
   */
  RetentionReads(Connection connection) {
    this.connection = connection;
  }

  /** Opens a read-only connection to an existing database. */
  public static RetentionReads open(Path file) {
    try {
      return new RetentionReads(SqliteFiles.openReader(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open " + file + " for retention", e);
    }
  }

  /** The database's used size: (page_count - freelist_count) * page_size. */
  public long usedBytes() {
    return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
  }

  /** The smallest id in {@code table} ({@code events} or {@code alerts}), or 0 when empty. */
  public long minId(String table) {
    requireTable(table);
    return single("SELECT coalesce(min(id), 0) FROM " + table);
  }

  /** The largest id in {@code table}, or 0 when empty. */
  public long maxId(String table) {
    requireTable(table);
    return single("SELECT coalesce(max(id), 0) FROM " + table);
  }

  /**
   * The time column of the first row at or after id {@code id} ({@code Long.MAX_VALUE} when none).
   */
  public long timeAtOrAfter(String table, String column, long id) {
    requireSearchable(table, column);
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT " + column + " FROM " + table + " WHERE id >= ? ORDER BY id LIMIT 1")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : Long.MAX_VALUE;
      }
    } catch (SQLException e) {
      throw new StoreException("retention read failed", e);
    }
  }

  /**
   * The smallest id whose row's {@code column} is at or after {@code cutoffNs}, assuming the column
   * grows with the id (a row written out of order moves the answer by at most its neighbours); one
   * past the largest id when every row is older.
   */
  public long firstIdAtOrAfter(String table, String column, long cutoffNs) {
    long lo = minId(table);
    long hi = maxId(table) + 1; // answer in [lo, hi]
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (timeAtOrAfter(table, column, mid) >= cutoffNs) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /**
   * The first alert id some sink has not delivered yet: one past the smallest {@code delivered_id}
   * among {@code sinks} (the configured, enabled ones; cursors of sinks since removed from the
   * config do not count). 1 when one of them has no cursor yet (it places it at its first start,
   * possibly at the oldest alert); {@code Long.MAX_VALUE} when there are no sinks.
   */
  public long firstUndeliveredAlertId(Collection<String> sinks) {
    long first = Long.MAX_VALUE;
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT delivered_id FROM sink_cursors WHERE sink = ?")) {
      for (String sink : sinks) {
        ps.setString(1, sink);
        try (ResultSet rs = ps.executeQuery()) {
          first = Math.min(first, rs.next() ? Math.max(0, rs.getLong(1)) + 1 : 1);
        }
      }
    } catch (SQLException e) {
      throw new StoreException("retention read of the sink cursors failed", e);
    }
    return first;
  }

  /** The smallest id of a closed alert at or after {@code id}, 0 when none (an index seek). */
  public long firstClosedAlertAtOrAfter(long id) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT coalesce(min(id), 0) FROM alerts WHERE state = 'closed' AND id >= ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    } catch (SQLException e) {
      throw new StoreException("retention read failed", e);
    }
  }

  private static void requireTable(String table) {
    if (!table.equals("events") && !table.equals("alerts")) {
      throw new IllegalArgumentException("not a retention table: " + table);
    }
  }

  private static void requireSearchable(String table, String column) {
    if (!SEARCHABLE.contains(table + "." + column)) {
      throw new IllegalArgumentException("not a searchable column: " + table + "." + column);
    }
  }

  private long pragma(String name) {
    return single("PRAGMA " + name);
  }

  private long single(String sql) {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new StoreException("retention read failed: " + sql, e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing retention reader failed", e);
    }
  }
}
