package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A read-only walk over the stored events, newest stored first, for hunting. It has its own
 * read-only connection, so it never waits for or holds up ingest (WAL: it reads the last committed
 * state). It reads in chunks of {@value #CHUNK_ROWS} rows, each chunk a statement of its own that
 * is closed (ending its read transaction) before any row of the chunk is handed to the visitor: a
 * visitor that waits (for a client that does not read) holds no read snapshot, so the WAL can be
 * checkpointed meanwhile.
 *
 * <p>Rows are filtered on their columns (kind, event time, agent) before their payload is read; the
 * walk stops at the first row received before {@code receivedFloorNs} (rows are stored in the
 * collector's receive order, so every older row was received earlier still). Every row read counts
 * toward the walk's row budget, filtered or not. Not thread-safe: one hunt owns an instance and
 * closes it.
 */
public final class EventScan implements AutoCloseable {
  /** Rows read by one statement. */
  public static final int CHUNK_ROWS = 4096;

  /** Payload bytes of one chunk's matches at most, before they are handed on (memory bound). */
  static final long CHUNK_BYTES = 16L << 20;

  private final Connection connection;
  private final RetentionReads ids;
  private final Map<Long, String> agentOfStream = new HashMap<>();

  private EventScan(Connection connection) {
    this.connection = connection;
    this.ids = new RetentionReads(connection);
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
   * @param receivedCeilingNs start below the first row received after this ({@code Long.MAX_VALUE}:
   *     at the newest row); found by a binary search over the ids, so rows received later are not
   *     read at all
   * @param kinds {@code EventKind} numbers to read; empty: every kind
   * @param agentIds agents to read; empty: every agent
   * @param maxRows rows read at most, filtered or not (the row budget)
   */
  public record Bounds(
      long sinceNs,
      long untilNs,
      long receivedFloorNs,
      long receivedCeilingNs,
      Set<Integer> kinds,
      Set<String> agentIds,
      long maxRows) {
    public Bounds {
      kinds = Set.copyOf(kinds);
      agentIds = Set.copyOf(agentIds);
    }
  }

  /** One row that passed the column filters. */
  public record Row(long id, String agentId, long receiveTimeNs, byte[] payload) {}

  /**
   * What a walk did.
   *
   * @param rowsRead rows read, filtered or not
   * @param oldestReceivedNs the receive time of the oldest row read (0 when none)
   * @param budgetExhausted the walk stopped at {@link Bounds#maxRows} before its bounds were
   *     covered
   */
  public record Walk(long rowsRead, long oldestReceivedNs, boolean budgetExhausted) {}

  /** Told each row outside any statement; answers whether to go on. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(Row row);

    /** Asked before each chunk is read: false stops the walk (a deadline, a cancelled call). */
    default boolean goOn() {
      return true;
    }
  }

  /**
   * Walks the rows in {@code b}, newest stored first, until {@code visitor} says stop, the row
   * budget is spent or the rows run out.
   */
  public Walk newestFirst(Bounds b, Visitor visitor) {
    long below = startBelow(b.receivedCeilingNs());
    long read = 0;
    long oldestReceived = 0;
    while (visitor.goOn()) {
      List<Row> matches = new ArrayList<>();
      int rows = 0;
      boolean floor = false;
      boolean exhausted = false;
      boolean full = false;
      long bytes = 0;
      // The statement is closed (its read transaction ended) before any row is visited.
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT id, stream_id, kind, event_time_ns, receive_time_ns, payload FROM events"
                  + " WHERE id < ? ORDER BY id DESC LIMIT "
                  + CHUNK_ROWS)) {
        ps.setLong(1, below);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if (read >= b.maxRows()) {
              exhausted = true;
              break;
            }
            read++;
            rows++;
            below = rs.getLong(1);
            long received = rs.getLong(5);
            if (received < b.receivedFloorNs()) {
              floor = true;
              break;
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
            byte[] payload = rs.getBytes(6);
            matches.add(new Row(below, agent, received, payload));
            bytes += payload.length;
            if (bytes >= CHUNK_BYTES) {
              // Events can be up to store.max_event_bytes each: a chunk's matches are bounded in
              // memory too; the next statement goes on below the last id read.
              full = true;
              break;
            }
          }
        }
      } catch (SQLException e) {
        throw new StoreException("cannot read events", e);
      }
      for (Row r : matches) {
        if (!visitor.visit(r)) {
          return new Walk(read, oldestReceived, false);
        }
      }
      if (exhausted || floor || (!full && rows < CHUNK_ROWS)) {
        return new Walk(read, oldestReceived, exhausted);
      }
    }
    return new Walk(read, oldestReceived, false);
  }

  /** The id the walk starts below: past the newest row, or the first received after {@code ns}. */
  private long startBelow(long ceilingNs) {
    if (ceilingNs == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return ids.firstIdAtOrAfter("events", "receive_time_ns", ceilingNs + 1);
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
