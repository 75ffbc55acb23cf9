package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /** The health columns of every agent, with its current stream's watermark, by agent id. */
  public synchronized List<AgentHealthRow> agentHealth() {
    return query(
        "SELECT a.agent_id, a.last_status, coalesce(a.last_status_ns, 0),"
            + " coalesce(a.current_epoch, ''), coalesce(a.spooled_seq, 0),"
            + " coalesce(s.watermark, 0), -coalesce(a.clock_skew_ns, 0),"
            + " coalesce(a.silent_since_ns, 0) FROM agents a LEFT JOIN streams s"
            + " ON s.agent_id = a.agent_id AND s.epoch = a.current_epoch ORDER BY a.agent_id",
        ps -> {},
        rs ->
            new AgentHealthRow(
                rs.getString(1),
                rs.getBytes(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getLong(7),
                rs.getLong(8)));
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

  /** The result an agent reported for one command, empty while none is stored. */
  public synchronized Optional<CommandResultRow> commandResult(String agentId, String commandId) {
    return query(
            "SELECT agent_id, command_id, outcome, detail, finished_ns, received_ns, payload"
                + " FROM command_results WHERE agent_id=? AND command_id=?",
            ps -> {
              ps.setString(1, agentId);
              ps.setString(2, commandId);
            },
            rs ->
                new CommandResultRow(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    rs.getBytes(7)))
        .stream()
        .findFirst();
  }

  /** Number of stored alerts. */
  public synchronized long countAlerts() {
    return query("SELECT count(*) FROM alerts", ps -> {}, rs -> rs.getLong(1)).get(0);
  }

  /** Most member and folded events {@link #alert} returns with an alert. */
  public static final int MAX_ALERT_EVENTS = 1000;

  /** Most events of a process {@link #eventsOfProcess} returns. */
  public static final int MAX_PROCESS_EVENTS = 10_000;

  /** The alert columns with host and event, for {@link #alertRow}. */
  private static final String ALERT_SELECT =
      "SELECT a.id, a.agent_id, coalesce(nullif(a.hostname, ''), g.hostname, ''), s.epoch, a.seq,"
          + " a.event_kind, a.event_time_ns, a.stored_ns, a.rule_id, a.title, a.level, a.tags,"
          + " a.matched_fields, a.rule_origin, e.payload, a.source, a.state, a.close_reason,"
          + " a.assignee, a.count, coalesce(a.first_event_time_ns, a.event_time_ns),"
          + " coalesce(a.last_event_time_ns, a.event_time_ns), a.entity_id, a.process,"
          + " a.indicator, a.group_key, coalesce(a.updated_ns, 0)"
          + " FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"
          + " LEFT JOIN agents g ON g.agent_id = a.agent_id"
          + " LEFT JOIN events e ON e.stream_id = a.stream_id AND e.seq = a.seq"
          // Event kind 0: raised by the collector (health), anchored on a stream position only.
          + " AND a.event_kind <> 0";

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

  /** The alerts {@code q} selects, newest (highest id) first. */
  public synchronized List<AlertRow> alerts(AlertQuery q) {
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (!q.states().isEmpty()) {
      List<String> states = AlertQuery.STATES.stream().filter(q.states()::contains).toList();
      where.add("a.state IN (" + String.join(",", states.stream().map(x -> "?").toList()) + ")");
      args.addAll(states);
    }
    if (q.minLevel() != null) {
      where.add(AlertQuery.levelRankSql("a.level") + " >= ?");
      args.add(AlertQuery.rank(q.minLevel()));
    }
    if (q.host() != null) {
      where.add("(a.hostname = ? OR g.hostname = ? OR a.agent_id = ?)");
      args.addAll(List.of(q.host(), q.host(), q.host()));
    }
    if (q.rule() != null) {
      where.add("(a.rule_id = ? OR instr(lower(a.title), lower(?)) > 0)");
      args.addAll(List.of(q.rule(), q.rule()));
    }
    if (q.source() != null) {
      where.add("a.source = ?");
      args.add(q.source());
    }
    if (q.sinceNs() != null) {
      where.add("coalesce(a.last_event_time_ns, a.event_time_ns) >= ?");
      args.add(q.sinceNs());
    }
    if (q.untilNs() != null) {
      where.add("coalesce(a.first_event_time_ns, a.event_time_ns) <= ?");
      args.add(q.untilNs());
    }
    args.add(q.limit());
    String sql =
        ALERT_SELECT
            + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
            + " ORDER BY a.id DESC LIMIT ?";
    return query(
        sql,
        ps -> {
          for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
          }
        },
        StoreReader::alertRow);
  }

  /**
   * One alert with its member and folded events (the first {@link #MAX_ALERT_EVENTS}, oldest first)
   * and its triage history; empty when there is no such alert.
   */
  public synchronized Optional<AlertDetail> alert(long id) {
    List<AlertRow> rows =
        query(ALERT_SELECT + " WHERE a.id = ?", ps -> ps.setLong(1, id), StoreReader::alertRow);
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    AlertRow row = rows.get(0);
    List<RelatedEvent> events =
        query(
            "SELECT ae.role, s.agent_id, s.epoch, ae.seq, ae.event_time_ns, e.payload"
                + " FROM alert_events ae JOIN streams s ON s.stream_id = ae.stream_id"
                + " LEFT JOIN events e ON e.stream_id = ae.stream_id AND e.seq = ae.seq"
                + " WHERE ae.alert_id = ? ORDER BY ae.event_time_ns, ae.stream_id, ae.seq"
                + " LIMIT ?",
            ps -> {
              ps.setLong(1, id);
              ps.setInt(2, MAX_ALERT_EVENTS);
            },
            StoreReader::relatedEvent);
    long eventCount =
        query(
                "SELECT count(*) FROM alert_events WHERE alert_id = ?",
                ps -> ps.setLong(1, id),
                rs -> rs.getLong(1))
            .get(0);
    List<AlertChange> history =
        query(
            "SELECT id, alert_id, at_ns, actor, action, old_value, new_value, note"
                + " FROM alert_changes WHERE alert_id = ? ORDER BY id",
            ps -> ps.setLong(1, id),
            rs ->
                new AlertChange(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getString(7),
                    rs.getString(8)));
    return Optional.of(new AlertDetail(row, events, eventCount, history));
  }

  /**
   * How far (in events of the agent's stream) from an alert's event {@link #eventsOfProcess} looks.
   * The events table has no index by process: a random-key index on every event cost the collector
   * as much as storing the event (docs/PERFORMANCE.md), so the lookup scans the stream's
   * primary-key range around the alert instead, from the process's exec when the process table has
   * it.
   */
  public static final int PROCESS_EVENT_WINDOW = 50_000;

  /**
   * The newest {@code limit} (at most {@link #MAX_PROCESS_EVENTS}) stored events whose acting
   * process is {@code entityId}, on the stream ({@code agentId}, {@code epoch}) within {@link
   * #PROCESS_EVENT_WINDOW} events of seq {@code aroundSeq} (and not before the process's exec),
   * newest first, with role {@code process}.
   */
  public synchronized List<RelatedEvent> eventsOfProcess(
      String agentId, String epoch, String entityId, long aroundSeq, int limit) {
    return query(
        "SELECT 'process', s.agent_id, s.epoch, e.seq, e.event_time_ns, e.payload"
            + " FROM streams s JOIN events e ON e.stream_id = s.stream_id"
            + " WHERE s.agent_id = ? AND s.epoch = ? AND e.seq BETWEEN"
            + " max(?, coalesce((SELECT p.seq FROM processes p WHERE p.agent_id = s.agent_id"
            + " AND p.entity_id = ? AND p.stream_id = s.stream_id), 0)) AND ?"
            + " AND e.entity_id = ?"
            + " ORDER BY e.seq DESC LIMIT ?",
        ps -> {
          ps.setString(1, agentId);
          ps.setString(2, epoch);
          ps.setLong(3, aroundSeq - PROCESS_EVENT_WINDOW);
          ps.setString(4, entityId);
          ps.setLong(5, aroundSeq + PROCESS_EVENT_WINDOW);
          ps.setString(6, entityId);
          ps.setInt(7, Math.max(0, Math.min(limit, MAX_PROCESS_EVENTS)));
        },
        StoreReader::relatedEvent);
  }

  private static RelatedEvent relatedEvent(ResultSet rs) throws SQLException {
    return new RelatedEvent(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getBytes(6));
  }

  private static AlertRow alertRow(ResultSet rs) throws SQLException {
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
        rs.getBytes(15),
        rs.getString(16),
        rs.getString(17),
        rs.getString(18),
        rs.getString(19),
        rs.getLong(20),
        rs.getLong(21),
        rs.getLong(22),
        rs.getString(23),
        rs.getString(24),
        rs.getString(25),
        rs.getString(26),
        rs.getLong(27));
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
