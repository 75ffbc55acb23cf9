package io.vigil.collector.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;

/**
 * Writes of alerts within the store's current transaction, so that an alert commits together with
 * its event or not at all. Confined to the store's thread, like {@link EventStore}.
 *
 * <p>Suppression: a match whose {@link NewAlert#dedupeKey()} equals that of an open alert (state
 * not {@code closed}) first seen within the suppression window of this match's event time is folded
 * into that alert (its count goes up) instead of raising a new one. Event time, not arrival time,
 * so that a replayed backlog folds the same way it did live. Everything is read from the database,
 * never cached, so a rolled-back transaction leaves nothing behind in memory either.
 *
 * <p>A second call for a rule and event already seen is a {@link Outcome#DUPLICATE} when the event
 * is the alert's own or one of its first {@link #MAX_FOLDED_EVENTS} folded events; past those the
 * store cannot tell, and relies on its callers storing alerts only for events the events table took
 * as new (as ingest does).
 */
public final class AlertWrites {
  /** Events recorded per alert for folded matches; {@code count} keeps counting past it. */
  static final int MAX_FOLDED_EVENTS = 100;

  /**
   * The open alert a match folds into: key, then |t - first| < window as a range the (dedupe_key,
   * first_event_time_ns) index scans, however many alerts the key had before.
   */
  static final String FOLD_TARGET_SQL =
      "SELECT id, count FROM alerts WHERE dedupe_key=? AND first_event_time_ns>?"
          + " AND first_event_time_ns<? AND state<>'closed' ORDER BY id DESC LIMIT 1";

  /**
   * The event kind of an alert the collector raised itself (silence, clock skew, a hole, a new
   * epoch, its own disk full): no event of the stream carries it.
   */
  public static final int COLLECTOR_RAISED = 0;

  private static final long DEFAULT_WINDOW_NS = Duration.ofSeconds(60).toNanos();

  private final StatementCache statements;
  private final ProcessWrites processes;
  private long windowNs = DEFAULT_WINDOW_NS;

  AlertWrites(StatementCache statements, ProcessWrites processes) {
    this.statements = statements;
    this.processes = processes;
  }

  /** What {@link #insert(AlertContext, NewAlert)} did. */
  public enum Outcome {
    /** A new alert row. */
    INSERTED,
    /** Counted into an open alert with the same dedupe key; no new row. */
    FOLDED,
    /** This rule already has an alert on this event (or folded it already); nothing changed. */
    DUPLICATE
  }

  /**
   * @param alertId the new alert, the alert the match was folded into, or the existing alert
   * @param count that alert's count after the call
   * @param processJson a new alert's stored process context (for the alert outputs), else null
   * @param seq a new alert's stored seq (a collector-raised alert's pseudo-seq), else 0
   */
  public record Result(Outcome outcome, long alertId, long count, String processJson, long seq) {
    Result(Outcome outcome, long alertId, long count) {
      this(outcome, alertId, count, null, 0);
    }
  }

  /**
   * Sets how far apart in event time two identical matches may be and still make one alert; zero
   * turns suppression off. Measured from the alert's first event, so a match that keeps firing
   * raises a new alert once per window. Default 60 s.
   */
  public void setSuppressionWindow(Duration window) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("suppression window must not be negative: " + window);
    }
    windowNs = saturatedNanos(window);
  }

  /**
   * Stores {@code alert} on the event {@code ctx} names: folds it into an open alert with the same
   * dedupe key first seen within the suppression window, or else inserts a new alert with the
   * acting process's context and parent chain. A second call for the same rule and event changes
   * nothing.
   */
  public Result insert(AlertContext ctx, NewAlert alert) {
    try {
      Result existing = existing(ctx.streamId(), ctx.seq(), alert.ruleId());
      if (existing != null) {
        return existing;
      }
      if (alert.dedupeKey() != null && windowNs > 0) {
        Result folded = fold(ctx, alert.dedupeKey(), true);
        if (folded != null) {
          return folded;
        }
      }
      return insertNew(ctx, alert);
    } catch (SQLException e) {
      throw new StoreException("cannot store alert of rule " + alert.ruleId(), e);
    }
  }

  /**
   * Stores one alert on the event ({@code streamId}, {@code seq}) without a process; returns false
   * if it was not stored as a new alert (the rule already has one on this event, or it was folded).
   * The API before the alert workflow, kept for its callers until they pass an {@link
   * AlertContext}.
   *
   * @param storedNs when the collector received the event (its row's {@code receive_time_ns})
   */
  public boolean insert(
      String agentId,
      long streamId,
      long seq,
      int eventKind,
      long eventTimeNs,
      long storedNs,
      NewAlert alert) {
    AlertContext ctx =
        new AlertContext(agentId, streamId, seq, eventKind, eventTimeNs, storedNs, null);
    return insert(ctx, alert).outcome() == Outcome.INSERTED;
  }

  private Result existing(long streamId, long seq, String ruleId) throws SQLException {
    PreparedStatement ps =
        statements.get("SELECT id, count FROM alerts WHERE stream_id=? AND seq=? AND rule_id=?");
    ps.setLong(1, streamId);
    ps.setLong(2, seq);
    ps.setString(3, ruleId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? new Result(Outcome.DUPLICATE, rs.getLong(1), rs.getLong(2)) : null;
    }
  }

  /**
   * A collector-raised alert: it has no event, and the position it names (the stream's watermark,
   * say) can repeat across episodes (silent, back without events, silent again), so it is never a
   * duplicate. Folded by its dedupe key like any alert (counting, recording no event), else stored
   * at a position of its own: the next of the stream's negative pseudo-seqs (-1, -2, ...), a space
   * no event uses, so the unique (stream, seq, rule) index holds. {@code ctx} names the stream (its
   * seq is not used) and event kind {@link #COLLECTOR_RAISED}.
   */
  public Result insertCollectorRaised(AlertContext ctx, NewAlert alert) {
    try {
      return collectorRaised(ctx, alert);
    } catch (SQLException e) {
      throw new StoreException("cannot store alert of rule " + alert.ruleId(), e);
    }
  }

  private Result collectorRaised(AlertContext ctx, NewAlert alert) throws SQLException {
    if (alert.dedupeKey() != null && windowNs > 0) {
      Result folded = fold(ctx, alert.dedupeKey(), false);
      if (folded != null) {
        return folded;
      }
    }
    PreparedStatement ps =
        statements.get("SELECT coalesce(min(seq), 0) - 1 FROM alerts WHERE stream_id=? AND seq<0");
    ps.setLong(1, ctx.streamId());
    long seq;
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      seq = rs.getLong(1);
    }
    AlertContext at =
        new AlertContext(
            ctx.agentId(),
            ctx.streamId(),
            seq,
            ctx.eventKind(),
            ctx.eventTimeNs(),
            ctx.storedNs(),
            ctx.process());
    return insertNew(at, alert);
  }

  /** Folds the match into the newest open alert of its key within the window; null if none. */
  private Result fold(AlertContext ctx, String dedupeKey, boolean recordEvent) throws SQLException {
    long t = ctx.eventTimeNs();
    PreparedStatement find = statements.get(FOLD_TARGET_SQL);
    find.setString(1, dedupeKey);
    find.setLong(2, saturatedAdd(t, -windowNs));
    find.setLong(3, saturatedAdd(t, windowNs));
    long id;
    long count;
    try (ResultSet rs = find.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      id = rs.getLong(1);
      count = rs.getLong(2);
    }
    if (recordEvent && foldedEvents(id) < MAX_FOLDED_EVENTS && !addEvent(id, ctx, "folded")) {
      // This very event was folded in already (a replay): counting it again would lie.
      return new Result(Outcome.DUPLICATE, id, count);
    }
    PreparedStatement update =
        statements.get(
            "UPDATE alerts SET count=count+1, first_event_time_ns=min(first_event_time_ns, ?),"
                + " last_event_time_ns=max(coalesce(last_event_time_ns, ?), ?), updated_ns=?"
                + " WHERE id=?");
    update.setLong(1, t);
    update.setLong(2, t);
    update.setLong(3, t);
    update.setLong(4, ctx.storedNs());
    update.setLong(5, id);
    update.executeUpdate();
    return new Result(Outcome.FOLDED, id, count + 1);
  }

  /** Folded events recorded for the alert, counted up to {@link #MAX_FOLDED_EVENTS}. */
  private int foldedEvents(long alertId) throws SQLException {
    PreparedStatement ps =
        statements.get(
            "SELECT count(*) FROM (SELECT 1 FROM alert_events WHERE alert_id=? AND role='folded'"
                + " LIMIT "
                + MAX_FOLDED_EVENTS
                + ")");
    ps.setLong(1, alertId);
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private boolean addEvent(long alertId, AlertContext ctx, String role) throws SQLException {
    return addEvent(alertId, ctx.streamId(), ctx.seq(), ctx.eventTimeNs(), role);
  }

  private boolean addEvent(long alertId, long streamId, long seq, long eventTimeNs, String role)
      throws SQLException {
    PreparedStatement ps =
        statements.get(
            "INSERT OR IGNORE INTO alert_events(alert_id, stream_id, seq, event_time_ns, role)"
                + " VALUES(?, ?, ?, ?, ?)");
    ps.setLong(1, alertId);
    ps.setLong(2, streamId);
    ps.setLong(3, seq);
    ps.setLong(4, eventTimeNs);
    ps.setString(5, role);
    return ps.executeUpdate() == 1;
  }

  private Result insertNew(AlertContext ctx, NewAlert alert) throws SQLException {
    long first = ctx.eventTimeNs();
    long last = first;
    for (NewAlert.Member m : alert.members()) {
      first = Math.min(first, m.eventTimeNs());
      last = Math.max(last, m.eventTimeNs());
    }
    ProcessFacts p = ctx.process();
    PreparedStatement ps =
        statements.get(
            "INSERT OR IGNORE INTO alerts(agent_id, stream_id, seq, event_kind, event_time_ns,"
                + " stored_ns, rule_id, title, level, tags, matched_fields, rule_origin, source,"
                + " state, count, first_event_time_ns, last_event_time_ns, dedupe_key, hostname,"
                + " entity_id, process, indicator, group_key, updated_ns) VALUES(?, ?, ?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, ?, ?, 'new', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ps.setString(1, ctx.agentId());
    ps.setLong(2, ctx.streamId());
    ps.setLong(3, ctx.seq());
    ps.setInt(4, ctx.eventKind());
    ps.setLong(5, ctx.eventTimeNs());
    ps.setLong(6, ctx.storedNs());
    ps.setString(7, alert.ruleId());
    ps.setString(8, alert.title());
    setText(ps, 9, alert.level());
    ps.setString(10, alert.tagsJson());
    ps.setString(11, alert.matchedFieldsJson());
    ps.setString(12, alert.ruleOrigin());
    ps.setString(13, alert.source());
    ps.setLong(14, first);
    ps.setLong(15, last);
    setText(ps, 16, alert.dedupeKey());
    setText(ps, 17, hostname(ctx.agentId()));
    setText(ps, 18, p == null ? null : p.entityId());
    String processJson = p == null ? null : processes.contextJson(ctx.agentId(), p);
    setText(ps, 19, processJson);
    setText(ps, 20, alert.indicatorJson());
    setText(ps, 21, alert.groupKeyJson());
    ps.setLong(22, ctx.storedNs());
    if (ps.executeUpdate() == 0) {
      // Not reached while existing() runs first in the same transaction; kept as the index's
      // answer should that ever change.
      Result r = existing(ctx.streamId(), ctx.seq(), alert.ruleId());
      if (r == null) {
        throw new StoreException("alert of rule " + alert.ruleId() + " neither stored nor found");
      }
      return r;
    }
    long id = lastInsertId();
    for (NewAlert.Member m : alert.members()) {
      addEvent(id, m.streamId(), m.seq(), m.eventTimeNs(), "member");
    }
    return new Result(Outcome.INSERTED, id, 1, processJson, ctx.seq());
  }

  /**
   * Appends a note by {@code actor} to alert {@code alertId}'s history (its state is unchanged), in
   * the current transaction.
   */
  public void note(long alertId, String actor, String note, long nowNs) {
    try {
      PreparedStatement ps =
          statements.get(
              "INSERT INTO alert_changes(alert_id, at_ns, actor, action, note)"
                  + " VALUES(?, ?, ?, 'note', ?)");
      ps.setLong(1, alertId);
      ps.setLong(2, nowNs);
      ps.setString(3, actor);
      ps.setString(4, note);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot add a note to alert " + alertId, e);
    }
  }

  private String hostname(String agentId) throws SQLException {
    PreparedStatement ps = statements.get("SELECT hostname FROM agents WHERE agent_id=?");
    ps.setString(1, agentId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private long lastInsertId() throws SQLException {
    PreparedStatement ps = statements.get("SELECT last_insert_rowid()");
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void setText(PreparedStatement ps, int index, String value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, value);
    }
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    // Overflow iff both operands have the sign opposite to the result's.
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
