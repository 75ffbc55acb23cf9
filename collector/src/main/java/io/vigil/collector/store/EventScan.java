package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only walk over the stored events, newest stored first, for hunting. It has its own
 * read-only connection, so it never waits for or holds up ingest (WAL: it reads the last committed
 * state). It reads in chunks of {@value #CHUNK_ROWS} rows, each chunk a statement of its own, so no
 * read snapshot is held for the whole walk (which would keep the WAL from being checkpointed).
 *
 * <p>Rows are filtered on their columns (kind, event time, agent) before their payload is read; the
 * walk stops at the first row received before {@code receivedFloorNs} (rows are stored in the
 * collector's receive order, so every older row was received earlier still). Not thread-safe: one
 * hunt owns an instance and closes it.
 */
public final class EventScan implements AutoCloseable {
  /** Rows read by one statement. */
  public static final int CHUNK_ROWS = 4096;

  private final Connection connection;
  private final Map<Long, String> agentOfStream = new HashMap<>();

  private EventScan(Connection connection) {
    this.connection = connection;
  }

  /** Opens a scan of the store at {@code file}. */
  public static EventScan open(Path file) {
    try {
      return new EventScan(SqliteFiles.openReader(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open event store " + file + " read-only", e);
    }
  }

  /**
   * What to walk over.
   *
   * @param sinceNs lowest event time, inclusive
   * @param untilNs highest event time, inclusive
   * @param receivedFloorNs stop at the first row received before this
   * @param kinds {@code EventKind} numbers to read; empty: every kind
   * @param agentIds agents to read; empty: every agent
   */
  public record Bounds(
      long sinceNs, long untilNs, long receivedFloorNs, Set<Integer> kinds, Set<String> agentIds) {
    public Bounds {
      kinds = Set.copyOf(kinds);
      agentIds = Set.copyOf(agentIds);
    }
  }

  /** One row that passed the column filters. */
  public record Row(long id, String agentId, long receiveTimeNs, byte[] payload) {}

  /** Told each row; answers whether to go on. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(Row row);
  }

  /**
   * Walks the rows in {@code b}, newest stored first, until {@code visitor} says stop or the rows
   * run out.
   *
   * @return the receive time of the oldest row looked at (passed to the visitor or not); 0 when
   *     none
   */
  public long newestFirst(Bounds b, Visitor visitor) {
    long below = Long.MAX_VALUE;
    long oldestReceived = 0;
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT id, stream_id, kind, event_time_ns, receive_time_ns, payload FROM events"
                + " WHERE id < ? ORDER BY id DESC LIMIT "
                + CHUNK_ROWS)) {
      while (true) {
        ps.setLong(1, below);
        int rows = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
            below = rs.getLong(1);
            long received = rs.getLong(5);
            if (received < b.receivedFloorNs()) {
              return oldestReceived;
            }
            oldestReceived = received;
            long time = rs.getLong(4);
            if (time < b.sinceNs() || time > b.untilNs()) {
              continue;
            }
            if (!b.kinds().isEmpty() && !b.kinds().contains(rs.getInt(3))) {
              continue;
            }
            String agent = agent(rs.getLong(2));
            if (!b.agentIds().isEmpty() && !b.agentIds().contains(agent)) {
              continue;
            }
            // The payload is read only here: filtered rows cost no blob copy.
            if (!visitor.visit(new Row(below, agent, received, rs.getBytes(6)))) {
              return oldestReceived;
            }
          }
        }
        if (rows < CHUNK_ROWS) {
          return oldestReceived;
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read events", e);
    }
  }

  private String agent(long streamId) throws SQLException {
    String a = agentOfStream.get(streamId);
    if (a != null) {
      return a;
    }
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT agent_id FROM streams WHERE stream_id = ?")) {
      ps.setLong(1, streamId);
      try (ResultSet rs = ps.executeQuery()) {
        a = rs.next() ? rs.getString(1) : "";
      }
    }
    agentOfStream.put(streamId, a);
    return a;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close the event scan", e);
    }
  }
}
