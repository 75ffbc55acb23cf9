package io.vigil.collector.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** Opens SQLite connections with the settings the store relies on. */
final class SqliteFiles {
  /** How long a connection waits for another (the collector's writer) to release the lock. */
  static final int BUSY_TIMEOUT_MS = 10_000;

  /** WAL pages (4 KiB each) after which a commit checkpoints: 64 MiB. */
  static final int WAL_AUTOCHECKPOINT_PAGES = 16_384;

  /** Page cache of the writer connection (native memory, outside the Java heap). */
  private static final int WRITER_CACHE_KIB = 16_384;

  private SqliteFiles() {}

  /**
   * Opens the writer connection, creating the file owner-only (0600) if it does not exist: events
   * are sensitive. SQLite gives the -wal and -shm files the database file's mode.
   */
  static Connection openWriter(Path file) throws SQLException {
    createPrivate(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // In WAL mode NORMAL syncs the WAL at checkpoints, not at every commit. A commit is in the
    // WAL file (in the OS page cache) when commit() returns, so the collector process dying,
    // even by kill -9, loses nothing committed; only a power loss or kernel crash can lose the
    // last transactions, and even then the database stays consistent. The agent re-sends
    // whatever the restored watermark no longer covers, because it keeps events until acked.
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    // sqlite-jdbc otherwise prepares, runs and finalizes "SELECT last_insert_rowid()" after every
    // INSERT so that getGeneratedKeys() works; the store never asks for generated keys, and that
    // extra statement cost as much as the insert itself (profiled: docs/PERFORMANCE.md).
    config.setGetGeneratedKeys(false);
    config.setCacheSize(-WRITER_CACHE_KIB);
    Connection c = config.createConnection(url(file));
    try (Statement st = c.createStatement()) {
      // A checkpoint copies WAL pages into the database and, under synchronous=NORMAL, fsyncs it,
      // inside whichever commit crosses the threshold. The default (1000 pages, 4 MiB) means a
      // checkpoint every few group commits at full ingest rate; a larger WAL checkpoints less
      // often, and pages changed by several commits (index, table tail) are copied once.
      st.execute("PRAGMA wal_autocheckpoint=" + WAL_AUTOCHECKPOINT_PAGES);
      // Truncate the WAL back to this size after a checkpoint instead of keeping its peak size.
      st.execute("PRAGMA journal_size_limit=" + (64L << 20));
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return c;
  }

  /** Opens a read-only connection; WAL readers see the last committed state without blocking. */
  static Connection openReader(Path file) throws SQLException {
    if (!Files.exists(file)) {
      throw new SQLException("no database at " + file);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setOpenMode(SQLiteOpenMode.READONLY);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    return config.createConnection(url(file));
  }

  /**
   * Opens an existing database read-write without creating or migrating it (the operator API's own
   * connections, next to the ingest writer; each waits up to the busy timeout for the lock).
   */
  static Connection openExisting(Path file) throws SQLException {
    if (!Files.isRegularFile(file)) {
      throw new SQLException("no database at " + file);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.resetOpenMode(SQLiteOpenMode.CREATE);
    config.setOpenMode(SQLiteOpenMode.READWRITE);
    config.setBusyTimeout(BUSY_TIMEOUT_MS);
    return config.createConnection(url(file));
  }

  /**
   * {@link #openExisting} for a part that works beside the collector's writer and never migrates:
   * the database must be Vigil's and at this code's schema version (the collector migrates it when
   * it starts). The connection is closed on any failure.
   *
   * @param purpose what the connection is for, in messages, e.g. {@code "triage"}
   * @throws StoreException when the file is missing, not a Vigil collector database, of another
   *     schema version, or cannot be opened
   */
  static Connection openCurrent(Path file, String purpose) {
    if (!Files.isRegularFile(file)) {
      throw new StoreException("no collector database at " + file);
    }
    Connection c = null;
    try {
      c = openExisting(file);
      checkCurrentVersion(c, file, purpose);
      return c;
    } catch (SQLException | RuntimeException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof SQLException s) {
        throw new StoreException("cannot open collector database " + file + " for " + purpose, s);
      }
      throw (RuntimeException) e;
    }
  }

  private static void checkCurrentVersion(Connection c, Path file, String purpose)
      throws SQLException {
    boolean vigil;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'")) {
      vigil = rs.next() && rs.getInt(1) == 1;
    }
    if (!vigil) {
      throw new StoreException(file + " is not a Vigil collector database (no schema_version)");
    }
    int version = Schema.storedVersion(c);
    int current = Schema.currentVersion();
    if (version < current) {
      throw new StoreException(
          "database "
              + file
              + " has schema version "
              + version
              + ", "
              + purpose
              + " needs "
              + current
              + ": start the (upgraded) collector once, it migrates the database");
    }
    if (version > current) {
      throw new StoreException(
          "database "
              + file
              + " has schema version "
              + version
              + ", newer than "
              + purpose
              + " understands ("
              + current
              + "): use the collector that wrote it");
    }
  }

  private static String url(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath();
  }

  private static void createPrivate(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // An existing database keeps its mode: the operator may have chosen a group on purpose.
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create database file " + file, e);
    }
  }
}
