package io.vigil.collector.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.function.LongSupplier;

/**
 * Analysts' changes to alerts (acknowledge, close, reopen, assign, note), made by the operator API
 * on its own connection to the collector's database file while the ingest writer may be writing to
 * it.
 *
 * <p>Each operation is one {@code BEGIN IMMEDIATE} transaction that reads the alert, checks the
 * transition, updates the alert and appends one {@code alert_changes} row: either all of it is
 * stored or nothing. {@code IMMEDIATE} takes the write lock first, so the check and the update see
 * the same state, and a busy collector writer is waited for (up to {@link
 * SqliteFiles#BUSY_TIMEOUT_MS}) instead of failing. The transaction is held for a few statements
 * only, so the collector's writer (which waits as long) is not held up noticeably.
 *
 * <p>Workflow: {@code new -> acknowledged -> closed}, {@code new -> closed}, and {@code closed ->
 * acknowledged} by reopening (someone has looked at it, so it does not go back to new). Assign and
 * note work in every state. Acknowledging a closed alert, closing a closed one or reopening an open
 * one is refused.
 *
 * <p>Never migrates: a database of another schema version than this code's is refused, because
 * migrating is the collector's job and must not happen behind its back.
 *
 * <p>Thread-safe (operations are serialised on one connection); every method blocks on disk I/O and
 * the lock. The caller owns the store and closes it.
 */
public final class TriageStore implements AutoCloseable {
  /** Longest note or close reason, in chars. */
  public static final int MAX_TEXT = 4000;

  /** Longest assignee or actor name, in chars. */
  public static final int MAX_NAME = 200;

  private final Path file;
  private final Connection connection;
  private final LongSupplier nowNs;

  private TriageStore(Path file, Connection connection, LongSupplier nowNs) {
    this.file = file;
    this.connection = connection;
    this.nowNs = nowNs;
  }

  /**
   * Opens an existing collector database for triage.
   *
   * @param nowNs the clock changes are stamped with (UTC nanoseconds)
   * @throws StoreException when the file is missing, not a Vigil database, or of another schema
   *     version
   */
  public static TriageStore open(Path file, LongSupplier nowNs) {
    // Opened only as it is: never created (a wrong path must not leave an empty file).
    return new TriageStore(file, SqliteFiles.openCurrent(file, "triage"), nowNs);
  }

  public Path file() {
    return file;
  }

  /** {@code new -> acknowledged}; refused in any other state. */
  public synchronized TriageResult ack(long id, String actor, String note) {
    checkName("actor", actor);
    checkOptionalText("note", note);
    return inTransaction(
        id,
        cur -> {
          if (!cur.state.equals("new")) {
            return refuse(
                id,
                cur.state.equals("closed")
                    ? "alert " + id + " is closed; reopen it first"
                    : "alert " + id + " is already acknowledged");
          }
          setState(id, "acknowledged", null, cur.now);
          return changed(id, actor, "ack", "new", "acknowledged", note, cur);
        });
  }

  /**
   * {@code new|acknowledged -> closed}, recording the reason (required) as the change's note; a
   * {@code note} given too is recorded as a second, {@code note} change in the same transaction.
   * Refused when already closed.
   */
  public synchronized TriageResult close(long id, String actor, String reason, String note) {
    checkName("actor", actor);
    checkText("reason", reason);
    checkOptionalText("note", note);
    return inTransaction(
        id,
        cur -> {
          if (cur.state.equals("closed")) {
            return refuse(id, "alert " + id + " is already closed");
          }
          setState(id, "closed", reason, cur.now);
          TriageResult result = changed(id, actor, "close", cur.state, "closed", reason, cur);
          if (note != null) {
            record(id, cur.now, actor, "note", null, null, note);
          }
          return result;
        });
  }

  /** {@code closed -> acknowledged}, clearing the close reason; refused when not closed. */
  public synchronized TriageResult reopen(long id, String actor, String note) {
    checkName("actor", actor);
    checkOptionalText("note", note);
    return inTransaction(
        id,
        cur -> {
          if (!cur.state.equals("closed")) {
            return refuse(id, "alert " + id + " is not closed (it is " + cur.state + ")");
          }
          setState(id, "acknowledged", null, cur.now);
          return changed(id, actor, "reopen", "closed", "acknowledged", note, cur);
        });
  }

  /**
   * Sets who is on the alert ({@code null}: nobody), in any state; refused when it would not
   * change.
   */
  public synchronized TriageResult assign(long id, String actor, String assignee) {
    checkName("actor", actor);
    if (assignee != null) {
      checkName("assignee", assignee);
    }
    return inTransaction(
        id,
        cur -> {
          if (java.util.Objects.equals(cur.assignee, assignee)) {
            return refuse(
                id,
                assignee == null
                    ? "alert " + id + " is not assigned"
                    : "alert " + id + " is already assigned to " + assignee);
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "UPDATE alerts SET assignee = ?, updated_ns = ? WHERE id = ?")) {
            setNullable(ps, 1, assignee);
            ps.setLong(2, cur.now);
            ps.setLong(3, id);
            ps.executeUpdate();
          }
          return new TriageResult.Changed(
              id,
              record(id, cur.now, actor, "assign", cur.assignee, assignee, null),
              cur.state,
              assignee);
        });
  }

  /** Adds a note to the alert's history, in any state. */
  public synchronized TriageResult note(long id, String actor, String text) {
    checkName("actor", actor);
    checkText("note", text);
    return inTransaction(
        id,
        cur -> {
          touch(id, cur.now);
          return new TriageResult.Changed(
              id, record(id, cur.now, actor, "note", null, null, text), cur.state, cur.assignee);
        });
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close " + file, e);
    }
  }

  /** The alert's state as the transaction found it, and the time the change is stamped with. */
  private record Current(String state, String assignee, long now) {}

  private interface Step {
    TriageResult apply(Current cur) throws SQLException;
  }

  /**
   * Runs {@code step} in one write transaction on alert {@code id}: committed when it returns a
   * change, rolled back otherwise (and on any error).
   */
  private TriageResult inTransaction(long id, Step step) {
    try {
      // Autocommit stays on: the driver then starts no transaction of its own between calls, so
      // an idle vigilctl never holds a lock; this one is explicit and IMMEDIATE.
      try (Statement st = connection.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
      }
      boolean commit = false;
      try {
        Current cur = current(id);
        TriageResult result = cur == null ? new TriageResult.NotFound(id) : step.apply(cur);
        commit = result instanceof TriageResult.Changed;
        return result;
      } finally {
        try (Statement st = connection.createStatement()) {
          st.execute(commit ? "COMMIT" : "ROLLBACK");
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot change alert " + id + " in " + file, e);
    }
  }

  private Current current(long id) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT state, assignee FROM alerts WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        // Stamped after the lock is held, so history times follow commit order.
        return rs.next() ? new Current(rs.getString(1), rs.getString(2), nowNs.getAsLong()) : null;
      }
    }
  }

  private void setState(long id, String state, String closeReason, long now) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE alerts SET state = ?, close_reason = ?, updated_ns = ? WHERE id = ?")) {
      ps.setString(1, state);
      setNullable(ps, 2, closeReason);
      ps.setLong(3, now);
      ps.setLong(4, id);
      ps.executeUpdate();
    }
  }

  private void touch(long id, long now) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("UPDATE alerts SET updated_ns = ? WHERE id = ?")) {
      ps.setLong(1, now);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  private TriageResult changed(
      long id,
      String actor,
      String action,
      String oldValue,
      String newValue,
      String note,
      Current cur)
      throws SQLException {
    AlertChange change = record(id, cur.now, actor, action, oldValue, newValue, note);
    return new TriageResult.Changed(id, change, newValue, cur.assignee);
  }

  private AlertChange record(
      long id, long at, String actor, String action, String oldValue, String newValue, String note)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO alert_changes(alert_id, at_ns, actor, action, old_value, new_value, note)"
                + " VALUES(?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, id);
      ps.setLong(2, at);
      ps.setString(3, actor);
      ps.setString(4, action);
      setNullable(ps, 5, oldValue);
      setNullable(ps, 6, newValue);
      setNullable(ps, 7, note);
      ps.executeUpdate();
    }
    long changeId;
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
      changeId = rs.next() ? rs.getLong(1) : 0;
    }
    return new AlertChange(changeId, id, at, actor, action, oldValue, newValue, note);
  }

  private static TriageResult refuse(long id, String reason) {
    return new TriageResult.Refused(id, reason);
  }

  private static void setNullable(PreparedStatement ps, int i, String v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  /** A name (actor, assignee): non-blank, bounded, one line, no invisible or control characters. */
  static void checkName(String what, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (v.length() > MAX_NAME) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_NAME + " characters");
    }
    if (v.codePoints().anyMatch(cp -> isControl(cp) || isInvisible(cp))) {
      throw new IllegalArgumentException(
          what + " must not contain control or invisible characters");
    }
  }

  /** A reason or note: non-blank, bounded, no control characters other than newline and tab. */
  static void checkText(String what, String v) {
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    checkOptionalText(what, v);
  }

  static void checkOptionalText(String what, String v) {
    if (v == null) {
      return;
    }
    if (v.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    if (v.length() > MAX_TEXT) {
      throw new IllegalArgumentException(what + " is longer than " + MAX_TEXT + " characters");
    }
    if (v.codePoints().anyMatch(cp -> cp != '\n' && cp != '\t' && isControl(cp))) {
      throw new IllegalArgumentException(
          what + " must not contain control characters (other than newline and tab)");
    }
  }

  private static boolean isControl(int cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
  }

  /** Format characters: zero-width marks, bidi overrides and isolates, byte order mark. */
  private static boolean isInvisible(int cp) {
    return Character.getType(cp) == Character.FORMAT
        || cp == 0x2028
        || cp == 0x2029
        || Character.getType(cp) == Character.SURROGATE;
  }
}
