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
    try {
      connection.rollback();
    } catch (SQLException e) {
      throw new StoreException("rollback failed", e);
    }
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
