package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The writer side of the embedded database: one SQLite connection in WAL mode, schema migrated at
 * open.
 *
 * <p>Everything written through {@link #events()}, {@link #alerts()}, {@link #agents()}, {@link
 * #continuity()}, {@link #processes()}, {@link #correlationInputs()} and {@link #fim()} belongs to
 * the current transaction until {@link #commit()}; {@link #rollback()} discards it. There is always
 * a transaction in progress (SQLite starts it lazily, so an idle store holds no lock).
 *
 * <p>Not thread-safe: after {@link #open} the store is used by one thread at a time, in practice
 * the ingest writer thread, which is the only writer of the file. Readers in this or other
 * processes use {@link #openReadOnly}. The caller owns the store and closes it.
 */
public final class EventStore implements AutoCloseable {
  private final Path file;
  private final Connection connection;
  private final StatementCache statements;
  private final EventWrites events;
  private final AlertWrites alerts;
  private final AgentWrites agents;
  private final ContinuityWrites continuity;
  private final ProcessWrites processes;
  private final CorrelationInputWrites correlationInputs;
  private final FimWrites fim;
  private final HealthWrites health;
  private final RetentionWrites retention;

  private EventStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
    this.statements = new StatementCache(connection);
    this.events = new EventWrites(statements);
    this.processes = new ProcessWrites(statements);
    this.alerts = new AlertWrites(statements, processes);
    this.agents = new AgentWrites(statements);
    this.continuity = new ContinuityWrites(statements);
    this.correlationInputs = new CorrelationInputWrites(statements);
    this.fim = new FimWrites(statements);
    this.health = new HealthWrites(statements);
    this.retention = new RetentionWrites(statements);
  }

  /** Opens (creating if needed, mode 0600) and migrates the database file. Blocks on I/O. */
  public static EventStore open(Path file) {
    Connection c = null;
    try {
      c = SqliteFiles.openWriter(file);
      Schema.migrate(c, System.currentTimeMillis() * 1_000_000L);
      c.setAutoCommit(false);
      return new EventStore(file, c);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, e);
      if (e instanceof SQLException s) {
        throw new StoreException("cannot open event store " + file, s);
      }
      throw (RuntimeException) e;
    }
  }

  /** Opens a read-only view of a database, which may be open for writing by another process. */
  public static StoreReader openReadOnly(Path file) {
    return StoreReader.open(file);
  }

  public Path file() {
    return file;
  }

  public EventWrites events() {
    return events;
  }

  public AlertWrites alerts() {
    return alerts;
  }

  public AgentWrites agents() {
    return agents;
  }

  public ContinuityWrites continuity() {
    return continuity;
  }

  public ProcessWrites processes() {
    return processes;
  }

  public CorrelationInputWrites correlationInputs() {
    return correlationInputs;
  }

  public FimWrites fim() {
    return fim;
  }

  public HealthWrites health() {
    return health;
  }

  /** Retention's chunked deletes (run through the ingest writer, in its transaction). */
  public RetentionWrites retention() {
    return retention;
  }

  /**
   * Caps the database at {@code maxPages} pages for this connection ({@code PRAGMA max_page_count};
   * never below the pages in use) and returns the cap SQLite set: a full disk without filling a
   * disk, for tests of how ingest survives {@code SQLITE_FULL}.
   */
  public long limitPages(long maxPages) {
    try (java.sql.Statement st = connection.createStatement();
        java.sql.ResultSet rs = st.executeQuery("PRAGMA max_page_count=" + maxPages)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      throw new StoreException("cannot set max_page_count", e);
    }
  }

  /** The pages the database file has now ({@code PRAGMA page_count}). */
  public long pageCount() {
    try (java.sql.Statement st = connection.createStatement();
        java.sql.ResultSet rs = st.executeQuery("PRAGMA page_count")) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      throw new StoreException("cannot read page_count", e);
    }
  }

  /** Makes the current transaction durable against process death (see {@link SqliteFiles}). */
  public void commit() {
    try {
      connection.commit();
    } catch (SQLException e) {
      throw new StoreException("commit failed", e);
    }
  }

  /** Discards the current transaction. */
  public void rollback() {
    statements.reset(); // a failed statement may be unusable; rollbacks are rare
    try {
      connection.rollback();
    } catch (SQLException e) {
      // After some errors (SQLITE_FULL, SQLITE_IOERR) SQLite has rolled the whole transaction back
      // itself; the driver's ROLLBACK then fails and it skips its BEGIN, which would leave every
      // later statement committing on its own (a half-stored group). Start the next transaction
      // explicitly; only if that fails too is the store broken.
      try {
        restartTransaction();
      } catch (SQLException r) {
        e.addSuppressed(r);
        throw new StoreException("rollback failed", e);
      }
    }
  }

  private void restartTransaction() throws SQLException {
    try {
      connection.setAutoCommit(true); // its COMMIT fails: there is no transaction
    } catch (SQLException expected) {
      // the driver switched to autocommit before running it
    }
    connection.setAutoCommit(false); // BEGIN
  }

  /** Rolls back anything uncommitted and closes the file. */
  @Override
  public void close() {
    try (connection;
        statements) {
      connection.rollback();
    } catch (SQLException e) {
      throw new StoreException("closing event store " + file + " failed", e);
    }
  }

  private static void closeQuietly(Connection c, Exception cause) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        cause.addSuppressed(e);
      }
    }
  }
}
