package io.vigil.collector.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator audit log ({@code audit_log}): who called which command or admin call of the
 * operator API, on what, and how it ended. There is deliberately no method that updates or deletes
 * a row: the log is append-only for the collector.
 *
 * <p>It is a hash chain ({@link AuditChain}): each row stores the previous row's hash and its own,
 * so an edited row, or a row deleted or inserted in the middle, breaks the chain at that row. The
 * last row's id and hash are also kept in a file next to the database ({@link AuditHead}, {@code
 * <database>.audit-head}), so that deleting the last rows shows too. {@link #verify} checks all of
 * it. The chain is unkeyed: someone who can write both the database and the head file can forge a
 * consistent log; what it proves is that the collector's own record was not changed behind its back
 * by anyone with less than that.
 *
 * <p>The head file advances only while it matches the log's last row (or when the first row of an
 * empty log is written). When it does not match (rows deleted at the end, a backup restored, the
 * file deleted, a crash between writing it and committing), appends go on, so operators are still
 * audited, but the head stays where it is, so the mismatch is not overwritten by the next append:
 * {@link #verify} keeps reporting it until an administrator has looked and accepted the log as it
 * is with {@link #resetHead} ({@code vigil-collector audit-reset-head --database FILE}).
 *
 * <p>Rows written before schema version 6 have no hash; they are chained once, when the log is
 * first opened at version 6 (and only if no row has a hash and there is no head file yet: rows
 * whose hashes were erased later are not chained again, {@link #verify} reports them).
 *
 * <p>Thread-safe: appends are serialised on this instance and, against other connections and
 * processes, by an IMMEDIATE transaction in which the last hash is read, the row inserted and the
 * head file written. Every method blocks on disk I/O and waits up to the busy timeout for the
 * ingest writer's lock. The caller owns it and closes it.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /**
   * The outcomes a row may have: {@code attempted} is written before a call acts, and a second row
   * with {@code ok} or {@code failed} once it has; {@code denied} is a call refused for its role.
   */
  public static final Set<String> OUTCOMES = Set.of("attempted", "ok", "denied", "failed");

  /**
   * Longest detail or arguments text stored, in chars: the log must not be a way to fill a disk.
   */
  static final int MAX_TEXT = 8192;

  /** What an administrator does about a head that does not match, for messages. */
  static final String RESET_HINT =
      "when the log is as it should be (e.g. after restoring a backup), record its present end with"
          + " vigil-collector audit-reset-head --database FILE";

  static final String COLUMNS =
      "id, at_ns, operator, role, action, target, arguments, outcome, detail, hash";

  private final Path file;
  private final Path headFile;
  private final Connection connection;

  /** Whether a head mismatch was logged already (once per instance). */
  private boolean mismatchLogged;

  private AuditLog(Path file, Connection connection) {
    this.file = file;
    this.headFile = AuditHead.fileOf(file);
    this.connection = connection;
  }

  /**
   * Opens the audit log of an existing, migrated collector database, and chains the rows written
   * before schema version 6 if there are any and none is chained yet.
   *
   * @throws StoreException when the file is missing, not at this code's schema version, or cannot
   *     be opened
   */
  public static AuditLog open(Path file) {
    AuditLog a = new AuditLog(file, SqliteFiles.openCurrent(file, "the audit log"));
    try {
      a.chainUnchained();
      return a;
    } catch (RuntimeException e) {
      try {
        a.connection.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The head file of this log ({@code <database>.audit-head}). */
  public Path headFile() {
    return headFile;
  }

  /**
   * Appends one row (its {@code id} and {@code hash} are ignored) and returns it as stored: with
   * its id and hash, its texts bounded to {@value #MAX_TEXT} chars and cleaned as {@link
   * AuditChain#storable} says.
   *
   * @throws IllegalArgumentException for an unknown outcome
   * @throws StoreException when the row cannot be written (nothing was written then)
   */
  public synchronized AuditRow append(AuditRow r) {
    if (!OUTCOMES.contains(r.outcome())) {
      throw new IllegalArgumentException("unknown audit outcome " + r.outcome());
    }
    var head =
        new Object() {
          boolean moved;
          Optional<AuditHead> old = Optional.empty();
        };
    try {
      return ImmediateTransaction.run(
          connection,
          () -> {
            Last last = last();
            long id = nextId();
            String prev = last == null ? AuditChain.START : last.hash();
            AuditRow row =
                new AuditRow(
                    id,
                    r.atNs(),
                    AuditChain.storable(r.operator()),
                    AuditChain.storable(r.role()),
                    AuditChain.storable(r.action()),
                    AuditChain.storable(bounded(r.target())),
                    AuditChain.storable(bounded(r.argumentsJson())),
                    r.outcome(),
                    AuditChain.storable(bounded(r.detail())));
            row = withHash(row, AuditChain.hash(prev, row));
            insert(row, prev);
            Optional<AuditHead> current = readHeadForAppend();
            if (current != null && headMatches(current, last)) {
              head.old = current;
              writeHead(new AuditHead(row.id(), row.hash()));
              head.moved = true;
            } else {
              headMismatch(current, last);
            }
            return row;
          });
    } catch (SQLException | RuntimeException e) {
      if (head.moved) {
        restoreHead(head.old, e);
      }
      throw failure("cannot write the audit log in " + file, e);
    }
  }

  /** The newest {@code limit} rows, newest first, with their hashes. */
  public synchronized List<AuditRow> newest(int limit) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT " + COLUMNS + " FROM audit_log ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      List<AuditRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("cannot read the audit log in " + file, e);
    }
  }

  /**
   * Checks the whole chain and the head file. It reads in a snapshot first, without holding up
   * other writers; when that finds a problem it checks again inside an IMMEDIATE transaction, so
   * that an append in progress on another connection (whose head file is written before its commit)
   * is not taken for a broken log.
   *
   * @throws StoreException when the log cannot be read
   */
  public synchronized AuditVerification verify() {
    try {
      AuditVerification v = snapshot(() -> AuditVerifier.check(connection, headFile));
      if (v.intact()) {
        return v;
      }
      return ImmediateTransaction.run(connection, () -> AuditVerifier.check(connection, headFile));
    } catch (SQLException e) {
      throw failure("cannot verify the audit log in " + file, e);
    }
  }

  /**
   * The explicit recovery step for a head file that is missing or does not match (after restoring a
   * backup, or after an administrator has examined why): checks the rows' chain, and when it is
   * intact records its present end as the head (or removes the head file of an empty log).
   *
   * @return the check of the rows (the head file is not part of it)
   * @throws IllegalStateException when the rows' chain itself is broken: then the head is not
   *     touched, the log stays evidence
   * @throws StoreException when the log cannot be read or the head file written
   */
  public synchronized AuditVerification resetHead() {
    try {
      return ImmediateTransaction.run(
          connection,
          () -> {
            AuditVerification rows = AuditVerifier.check(connection, null);
            if (!rows.intact()) {
              throw new IllegalStateException(
                  "the audit chain itself is broken, so its end is not recorded: "
                      + rows.problem());
            }
            Last last = last();
            if (last == null) {
              deleteHead();
            } else {
              writeHead(new AuditHead(last.id(), last.hash()));
            }
            log.warn(
                "audit head of {} reset to {}", file, last == null ? "an empty log" : last.id());
            return rows;
          });
    } catch (SQLException | UncheckedIOException e) {
      throw failure("cannot reset the audit head of " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failure("cannot close " + file, e);
    }
  }

  /** The row at the cursor of a query of {@link #COLUMNS}. */
  static AuditRow row(ResultSet rs) throws SQLException {
    return new AuditRow(
        rs.getLong(1),
        rs.getLong(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getString(10));
  }

  /** The last row's id and hash. */
  private record Last(long id, String hash) {}

  private Last last() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")) {
      return rs.next() ? new Last(rs.getLong(1), rs.getString(2)) : null;
    }
  }

  /**
   * The id the next row gets: past every id ever used (AUTOINCREMENT's sequence included), so an id
   * is never reused even after rows were deleted. It is part of the row's hash, so it is chosen
   * before the insert.
   */
  private long nextId() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name='audit_log'), 0),"
                    + " coalesce((SELECT max(id) FROM audit_log), 0)) + 1")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void insert(AuditRow row, String prev) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO audit_log(id, at_ns, operator, role, action, target, arguments, outcome,"
                + " detail, prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setLong(1, row.id());
      ps.setLong(2, row.atNs());
      ps.setString(3, row.operator());
      ps.setString(4, row.role());
      ps.setString(5, row.action());
      ps.setString(6, row.target());
      ps.setString(7, row.argumentsJson());
      ps.setString(8, row.outcome());
      ps.setString(9, row.detail());
      ps.setString(10, prev);
      ps.setString(11, row.hash());
      ps.executeUpdate();
    }
  }

  /** The head file, empty when there is none, null when it cannot be read. */
  private Optional<AuditHead> readHeadForAppend() {
    try {
      return AuditHead.read(headFile);
    } catch (IOException e) {
      log.error("cannot read the audit head file: {}", e.getMessage());
      return null;
    }
  }

  private static boolean headMatches(Optional<AuditHead> head, Last last) {
    if (last == null) {
      return head.isEmpty();
    }
    return head.isPresent()
        && head.get().id() == last.id()
        && head.get().hash().equals(last.hash());
  }

  private void headMismatch(Optional<AuditHead> head, Last last) {
    if (mismatchLogged) {
      return;
    }
    mismatchLogged = true;
    log.error(
        "the audit log {} does not end where its head file {} says ({}; the log's last row before"
            + " this append: {}): audit rows are still written, but the head is left as it is"
            + " until an administrator checks (vigilctl audit verify) and, {}",
        file,
        headFile,
        head == null ? "unreadable" : head.map(AuditHead::toString).orElse("missing"),
        last == null ? "none" : last.id(),
        RESET_HINT);
  }

  private void writeHead(AuditHead h) {
    try {
      AuditHead.write(headFile, h);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + headFile, e);
    }
  }

  private void deleteHead() {
    try {
      Files.deleteIfExists(headFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + headFile, e);
    }
  }

  private void restoreHead(Optional<AuditHead> old, Exception failure) {
    try {
      if (old.isPresent()) {
        AuditHead.write(headFile, old.get());
      } else {
        Files.deleteIfExists(headFile);
      }
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /**
   * Chains the rows written before schema version 6, once: only when no row has a hash and there is
   * no head file (a log whose hashes were erased later must not be re-chained, that would launder
   * an edit).
   */
  private void chainUnchained() {
    try {
      ImmediateTransaction.run(
          connection,
          () -> {
            long chained;
            long all;
            try (Statement st = connection.createStatement();
                ResultSet rs =
                    st.executeQuery(
                        "SELECT count(*), coalesce(sum(hash <> ''), 0) FROM audit_log")) {
              rs.next();
              all = rs.getLong(1);
              chained = rs.getLong(2);
            }
            if (all == 0 || chained > 0 || Files.exists(headFile)) {
              return null;
            }
            String prev = AuditChain.START;
            long lastId = 0;
            try (PreparedStatement select =
                    connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM audit_log ORDER BY id");
                PreparedStatement update =
                    connection.prepareStatement(
                        "UPDATE audit_log SET prev_hash=?, hash=? WHERE id=?");
                ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                AuditRow row = row(rs);
                String hash = AuditChain.hash(prev, row);
                update.setString(1, prev);
                update.setString(2, hash);
                update.setLong(3, row.id());
                update.executeUpdate();
                prev = hash;
                lastId = row.id();
              }
            }
            writeHead(new AuditHead(lastId, prev));
            log.info("chained {} audit rows written before schema version 6 in {}", all, file);
            return null;
          });
    } catch (SQLException | UncheckedIOException e) {
      throw failure("cannot chain the audit log in " + file, e);
    }
  }

  /** Runs {@code body} in one read transaction, so that it sees one snapshot of the table. */
  private <T> T snapshot(ImmediateTransaction.Work<T> body) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("BEGIN");
    }
    try {
      return body.run();
    } finally {
      try (Statement st = connection.createStatement()) {
        st.execute("COMMIT");
      }
    }
  }

  /** A store failure caused by an SQL, I/O or other failure. */
  private static StoreException failure(String message, Exception cause) {
    if (cause instanceof SQLException s) {
      return new StoreException(message, s);
    }
    StoreException e = new StoreException(message + ": " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  private static AuditRow withHash(AuditRow r, String hash) {
    return new AuditRow(
        r.id(),
        r.atNs(),
        r.operator(),
        r.role(),
        r.action(),
        r.target(),
        r.argumentsJson(),
        r.outcome(),
        r.detail(),
        hash);
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
  }
}
