package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Reads how many bytes of the database file are free pages (freelist_count × page_size), on its own
 * read-only connection: two header reads in a read transaction that ends at once (WAL: it never
 * waits for the writer nor holds a checkpoint back).
 *
 * <p>Not thread-safe: one measuring thread at a time. The caller closes it.
 */
public final class FreelistReader implements AutoCloseable {
  private final Path file;
  private final Connection connection;

  private FreelistReader(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens a read-only connection to an existing database.
   *
   * @throws StoreException when it cannot be opened
   */
  public static FreelistReader open(Path file) {
    try {
      return new FreelistReader(file, SqliteFiles.openReader(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open " + file + " to read its free pages", e);
    }
  }

  /**
   * The bytes of the free pages now.
   *
   * @throws StoreException when the read fails
   */
  public long freeBytes() {
    try (Statement st = connection.createStatement()) {
      long pages = pragma(st, "freelist_count");
      return pages * pragma(st, "page_size");
    } catch (SQLException e) {
      throw new StoreException("cannot read the free pages of " + file, e);
    }
  }

  private static long pragma(Statement st, String name) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing the free-page reader of " + file + " failed", e);
    }
  }
}
