package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A read-only view of an event store file, for tests, the CLI and hunting. It works while the
 * collector has the file open for writing: under WAL each query reads the last committed state and
 * neither side blocks the other.
 *
 * <p>Thread-safe (methods are serialised on one connection); every method blocks on disk I/O. The
 * caller owns the reader and closes it.
 */
public final class StoreReader implements AutoCloseable {
  private final Connection connection;

  private StoreReader(Connection connection) {
    this.connection = connection;
  }

  static StoreReader open(Path file) {
    try {
      return new StoreReader(SqliteFiles.openReader(file));
    } catch (SQLException e) {
      throw new StoreException("cannot open event store " + file + " read-only", e);
    }
  }

  public synchronized long countEvents() {
    return query("SELECT count(*) FROM events", ps -> {}, rs -> rs.getLong(1)).get(0);
  }

  /**
   * Calls {@code action} with each stored event's serialized {@code vigil.v1.Event}, in storage
   * order, streaming rows from disk (nothing is collected in memory).
   */
  public synchronized void forEachPayload(Consumer<byte[]> action) {
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT payload FROM events ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        action.accept(rs.getBytes(1));
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read events", e);
    }
  }

  /** One stored event with where it came from, for display. */
  public record StoredEvent(
      long id, String agentId, String hostname, long seq, long receiveTimeNs, byte[] payload) {}

  /**
   * Up to {@code limit} events stored after row {@code afterId}, oldest first: a cursor for
   * following the store as it grows ({@code vigil-collector tail}).
   */
  public synchronized List<StoredEvent> eventsAfter(long afterId, int limit) {
    return query(
        "SELECT e.id, s.agent_id, coalesce(a.hostname, ''), e.seq, e.receive_time_ns, e.payload"
            + " FROM events e JOIN streams s ON s.stream_id = e.stream_id"
            + " LEFT JOIN agents a ON a.agent_id = s.agent_id"
            + " WHERE e.id > ? ORDER BY e.id LIMIT ?",
        ps -> {
          ps.setLong(1, afterId);
          ps.setInt(2, limit);
        },
        rs ->
            new StoredEvent(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getBytes(6)));
  }

  /** Id of the newest stored event row, 0 when there is none. */
  public synchronized long lastEventId() {
    return query("SELECT coalesce(max(id), 0) FROM events", ps -> {}, rs -> rs.getLong(1)).get(0);
  }

  /** The committed watermark of one stream, empty if the stream is unknown. */
  public synchronized OptionalLong watermark(String agentId, String epoch) {
    List<Long> w =
        query(
            "SELECT watermark FROM streams WHERE agent_id=? AND epoch=?",
            ps -> {
              ps.setString(1, agentId);
              ps.setString(2, epoch);
            },
            rs -> rs.getLong(1));
    return w.isEmpty() ? OptionalLong.empty() : OptionalLong.of(w.get(0));
  }

  public synchronized List<StreamRow> streams() {
    return query(
        "SELECT agent_id, epoch, watermark, first_seen_ns FROM streams ORDER BY agent_id, stream_id",
        ps -> {},
        rs -> new StreamRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
  }

  public synchronized List<AgentRow> agents() {
    return query(
        "SELECT agent_id, hostname, host_info, agent_version, first_seen_ns, last_seen_ns,"
            + " coalesce(clock_skew_ns, 0), current_epoch FROM agents ORDER BY agent_id",
        ps -> {},
        rs ->
            new AgentRow(
                rs.getString(1),
                rs.getString(2),
                rs.getBytes(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getLong(7),
                rs.getString(8)));
  }

  public synchronized List<GapRow> gaps(String agentId) {
    return query(
        "SELECT agent_id, epoch, seq, reason, first_seq, last_seq, count, counts_by_kind,"
            + " first_event_time_ns, last_event_time_ns, source FROM gaps WHERE agent_id=?"
            + " ORDER BY id",
        ps -> ps.setString(1, agentId),
        rs ->
            new GapRow(
                rs.getString(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getLong(7),
                rs.getString(8),
                rs.getLong(9),
                rs.getLong(10),
                rs.getString(11)));
  }

  /** Holes of one agent, explained or not, ordered by epoch and first seq. */
  public synchronized List<HoleRow> holes(String agentId) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT id, agent_id, epoch, first_seq, last_seq, detected_ns, explained, reported"
                + " FROM holes WHERE agent_id=? ORDER BY epoch, first_seq")) {
      ps.setString(1, agentId);
      return ContinuityWrites.holes(ps);
    } catch (SQLException e) {
      throw new StoreException("cannot read holes", e);
    }
  }

  public synchronized List<DeadLetterRow> deadLetters() {
    return query(
        "SELECT id, agent_id, epoch, seq, received_ns, reason, raw, raw_size FROM dead_letters"
            + " ORDER BY id",
        ps -> {},
        rs ->
            new DeadLetterRow(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getLong(5),
                rs.getString(6),
                rs.getBytes(7),
                rs.getLong(8)));
  }

  public synchronized List<CommandResultRow> commandResults(String agentId) {
    return query(
        "SELECT agent_id, command_id, outcome, detail, finished_ns, received_ns, payload"
            + " FROM command_results WHERE agent_id=? ORDER BY received_ns, command_id",
        ps -> ps.setString(1, agentId),
        rs ->
            new CommandResultRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getBytes(7)));
  }

  /** Number of stored alerts. */
  public synchronized long countAlerts() {
    return query("SELECT count(*) FROM alerts", ps -> {}, rs -> rs.getLong(1)).get(0);
  }

  /** The alert columns with host and event, for {@link #alertRow}. */
  private static final String ALERT_SELECT =
      "SELECT a.id, a.agent_id, coalesce(g.hostname, ''), s.epoch, a.seq,"
          + " a.event_kind, a.event_time_ns, a.stored_ns, a.rule_id, a.title, a.level, a.tags,"
          + " a.matched_fields, a.rule_origin, e.payload"
          + " FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"
          + " LEFT JOIN agents g ON g.agent_id = a.agent_id"
          + " LEFT JOIN events e ON e.stream_id = a.stream_id AND e.seq = a.seq";

  /** The newest {@code limit} alerts, oldest first, each with its host and event. */
  public synchronized List<AlertRow> latestAlerts(int limit) {
    return query(
        "SELECT * FROM (" + ALERT_SELECT + " ORDER BY a.id DESC LIMIT ?) ORDER BY id",
        ps -> ps.setInt(1, limit),
        StoreReader::alertRow);
  }

  /** Up to {@code limit} alerts with an id above {@code afterId}, oldest first (for following). */
  public synchronized List<AlertRow> alertsAfter(long afterId, int limit) {
    return query(
        ALERT_SELECT + " WHERE a.id > ? ORDER BY a.id LIMIT ?",
        ps -> {
          ps.setLong(1, afterId);
          ps.setInt(2, limit);
        },
        StoreReader::alertRow);
  }

  private static AlertRow alertRow(java.sql.ResultSet rs) throws SQLException {
    return new AlertRow(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getLong(5),
        rs.getInt(6),
        rs.getLong(7),
        rs.getLong(8),
        rs.getString(9),
        rs.getString(10),
        rs.getString(11),
        rs.getString(12),
        rs.getString(13),
        rs.getString(14),
        rs.getBytes(15));
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close reader", e);
    }
  }

  private <T> List<T> query(String sql, Binder binder, RowMapper<T> mapper) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("query failed: " + sql, e);
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }
}
