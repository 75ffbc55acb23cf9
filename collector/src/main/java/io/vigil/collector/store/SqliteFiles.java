package io.vigil.collector.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** Opens SQLite connections with the settings the store relies on. */
final class SqliteFiles {
  private static final int BUSY_TIMEOUT_MS = 10_000;

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
    return config.createConnection(url(file));
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
