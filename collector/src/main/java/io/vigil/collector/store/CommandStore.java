package io.vigil.collector.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.proto.v1.CommandResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command queue ({@code commands}): every command from issue to result, and the reads the
 * operator API needs around it (pending counts, isolation state from results, the newest process
 * with a pid). A status only moves forward: queued → sent → done, queued or sent → expired, and
 * expired → done when a result arrives after all (the result wins). Results themselves are written
 * by the ingest writer ({@code command_results}); this class only reads them.
 *
 * <p>Thread-safe (serialised on its own connection); every method blocks on disk I/O and waits up
 * to the busy timeout for the ingest writer's lock. The caller owns it and closes it.
 */
public final class CommandStore implements AutoCloseable {
  /**
   * Isolate and release results looked at per agent for its isolation state, newest first, at most
   * (results without an {@code isolated} fact, e.g. a rejected command, are passed over).
   */
  static final int MAX_ISOLATION_RESULTS_PER_AGENT = 32;

  private static final String COLUMNS =
      "command_id, agent_id, action, arguments, issued_by, issued_ns, expires_ns, payload, status,"
          + " sent_ns, done_ns";

  private final Path file;
  private final Connection connection;

  private CommandStore(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens the command queue of an existing, migrated collector database.
   *
   * @throws StoreException when the file is missing, not at this code's schema version, or cannot
   *     be opened
   */
  public static CommandStore open(Path file) {
    return new CommandStore(file, SqliteFiles.openCurrent(file, "the command queue"));
  }

  /** An agent's isolation according to its newest isolate or release result that says. */
  public record Isolation(boolean isolated, long changedNs) {}

  /** Stores a new command with status {@code queued} (the row's status and times are ignored). */
  public synchronized void insert(CommandRow r) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO commands("
                + COLUMNS
                + ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, 'queued', NULL,"
                + " NULL)")) {
      ps.setString(1, r.commandId());
      ps.setString(2, r.agentId());
      ps.setString(3, r.action());
      ps.setString(4, r.argumentsJson());
      ps.setString(5, r.issuedBy());
      ps.setLong(6, r.issuedNs());
      ps.setLong(7, r.expiresNs());
      ps.setBytes(8, r.payload());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot queue command " + r.commandId() + " in " + file, e);
    }
  }

  /**
   * Records that the command was written to its agent's stream at {@code nowNs}. When it was queued
   * and {@code owesAudit}, a {@code sent} audit row is owed in the same transaction ({@link
   * #pendingAudits}).
   *
   * @return its status before, when it was queued or sent (now sent); empty when it was done or
   *     expired meanwhile (nothing changed) or is unknown
   */
  public synchronized Optional<String> markSent(String commandId, long nowNs, boolean owesAudit) {
    return inTransaction(
        "cannot update command " + commandId,
        () -> {
          Optional<CommandRow> before = get(commandId);
          if (before.isEmpty() || !before.get().open()) {
            return Optional.<String>empty();
          }
          update(
              "UPDATE commands SET status='sent', sent_ns=? WHERE command_id=?"
                  + " AND status IN ('queued', 'sent')",
              nowNs,
              commandId);
          if (owesAudit && before.get().status().equals(CommandRow.QUEUED)) {
            owe(commandId, AUDIT_SENT, CommandRow.QUEUED, nowNs);
          }
          return Optional.of(before.get().status());
        });
  }

  /** {@link #markSent(String, long, boolean)} owing no audit row (the caller audits the send). */
  public Optional<String> markSent(String commandId, long nowNs) {
    return markSent(commandId, nowNs, false);
  }

  /**
   * Records that the agent's result for the command is stored, owing its {@code result} audit row
   * in the same transaction.
   *
   * @return the command as it was before, when this changed it (it was not done yet and belongs to
   *     {@code agentId}); empty for a result already recorded, or of a command unknown for that
   *     agent
   */
  public synchronized Optional<CommandRow> markDone(String agentId, String commandId, long nowNs) {
    return inTransaction(
        "cannot update command " + commandId,
        () -> {
          Optional<CommandRow> before = get(commandId);
          if (before.isEmpty()
              || !before.get().agentId().equals(agentId)
              || before.get().status().equals(CommandRow.DONE)) {
            return Optional.<CommandRow>empty();
          }
          update(
              "UPDATE commands SET status='done', done_ns=? WHERE command_id=? AND status<>'done'",
              nowNs,
              commandId);
          owe(commandId, AUDIT_RESULT, before.get().status(), nowNs);
          return before;
        });
  }

  /**
   * Marks the command expired when it is still queued or sent, owing its {@code expired} audit row
   * in the same transaction.
   *
   * @return true when this changed it
   */
  public synchronized boolean markExpired(String commandId, long nowNs) {
    return inTransaction(
        "cannot expire command " + commandId,
        () -> {
          Optional<CommandRow> before = get(commandId);
          if (before.isEmpty() || !before.get().open()) {
            return false;
          }
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "UPDATE commands SET status='expired' WHERE command_id=?"
                      + " AND status IN ('queued', 'sent')")) {
            ps.setString(1, commandId);
            if (ps.executeUpdate() == 0) {
              return false;
            }
          }
          owe(commandId, AUDIT_EXPIRED, before.get().status(), nowNs);
          return true;
        });
  }

  /** An audit row owed for a command: {@link #AUDIT_SENT}, {@link #AUDIT_EXPIRED} or result. */
  public record PendingAudit(String commandId, String event, String priorStatus, long atNs) {}

  /** The audit event of a queued command sent when its agent connected. */
  public static final String AUDIT_SENT = "sent";

  /** The audit event of a command that expired. */
  public static final String AUDIT_EXPIRED = "expired";

  /** The audit event of a command's result. */
  public static final String AUDIT_RESULT = "result";

  /** Audit rows owed since {@code untilNs} or earlier, oldest first, at most {@code limit}. */
  public synchronized List<PendingAudit> pendingAudits(long untilNs, int limit) {
    List<PendingAudit> out = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT command_id, event, prior_status, at_ns FROM command_audit_pending"
                + " WHERE at_ns <= ? ORDER BY at_ns, command_id, event LIMIT ?")) {
      ps.setLong(1, untilNs);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new PendingAudit(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read owed audit rows in " + file, e);
    }
  }

  /** Records that the audit log has the row owed for the command's event. */
  public synchronized void audited(String commandId, String event) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "DELETE FROM command_audit_pending WHERE command_id=? AND event=?")) {
      ps.setString(1, commandId);
      ps.setString(2, event);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException(
          "cannot record the audit of command " + commandId + " in " + file, e);
    }
  }

  private void owe(String commandId, String event, String priorStatus, long nowNs)
      throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT OR REPLACE INTO command_audit_pending(command_id, event, prior_status, at_ns)"
                + " VALUES(?, ?, ?, ?)")) {
      ps.setString(1, commandId);
      ps.setString(2, event);
      ps.setString(3, priorStatus);
      ps.setLong(4, nowNs);
      ps.executeUpdate();
    }
  }

  private interface Body<T> {
    T run() throws SQLException;
  }

  private <T> T inTransaction(String what, Body<T> body) {
    try {
      return ImmediateTransaction.run(connection, body::run);
    } catch (SQLException e) {
      throw new StoreException(what + " in " + file, e);
    }
  }

  /** Commands queued or sent whose expiry is before {@code nowNs}, oldest first. */
  public synchronized List<CommandRow> overdue(long nowNs) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM commands WHERE status IN ('queued', 'sent') AND expires_ns > 0"
            + " AND expires_ns < ? ORDER BY issued_ns, command_id",
        ps -> ps.setLong(1, nowNs));
  }

  /**
   * The agent's commands queued or sent (not done, not expired), oldest first (by issue time, then
   * in the order they were recorded).
   */
  public synchronized List<CommandRow> open(String agentId) {
    return query(
        "SELECT "
            + COLUMNS
            + " FROM commands WHERE agent_id=? AND status IN ('queued', 'sent')"
            + " ORDER BY issued_ns, rowid",
        ps -> ps.setString(1, agentId));
  }

  /** The command with this id. */
  public synchronized Optional<CommandRow> get(String commandId) {
    List<CommandRow> rows =
        query(
            "SELECT " + COLUMNS + " FROM commands WHERE command_id=?",
            ps -> ps.setString(1, commandId));
    return rows.stream().findFirst();
  }

  /**
   * The newest {@code limit} commands, newest first: of the agents in {@code agentIds}, or of all
   * agents when it is null.
   */
  public synchronized List<CommandRow> newest(Collection<String> agentIds, int limit) {
    if (agentIds == null) {
      return query(
          "SELECT " + COLUMNS + " FROM commands ORDER BY issued_ns DESC, command_id DESC LIMIT ?",
          ps -> ps.setInt(1, limit));
    }
    List<String> ids = List.copyOf(agentIds);
    if (ids.isEmpty()) {
      return List.of();
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return query(
        "SELECT "
            + COLUMNS
            + " FROM commands WHERE agent_id IN ("
            + marks
            + ") ORDER BY issued_ns DESC, command_id DESC LIMIT ?",
        ps -> {
          for (int i = 0; i < ids.size(); i++) {
            ps.setString(i + 1, ids.get(i));
          }
          ps.setInt(ids.size() + 1, limit);
        });
  }

  /**
   * The result the ingest writer stored for the agent's command, when there is one (the queue may
   * have missed its notice: a collector stopping between storing and marking it done).
   */
  public synchronized Optional<CommandResult> storedResult(String agentId, String commandId) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT payload FROM command_results WHERE agent_id=? AND command_id=?")) {
      ps.setString(1, agentId);
      ps.setString(2, commandId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        try {
          return Optional.of(CommandResult.parseFrom(rs.getBytes(1)));
        } catch (InvalidProtocolBufferException e) {
          return Optional.of(CommandResult.newBuilder().setCommandId(commandId).build());
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read the result of command " + commandId + " in " + file, e);
    }
  }

  /** Commands queued or sent, by agent id (agents with none are absent). */
  public synchronized Map<String, Integer> pendingCounts() {
    Map<String, Integer> out = new HashMap<>();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT agent_id, count(*) FROM commands WHERE status IN ('queued', 'sent')"
                    + " GROUP BY agent_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getInt(2));
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot count pending commands in " + file, e);
    }
  }

  /**
   * Each agent's isolation according to its newest isolate or release result whose facts say {@code
   * isolated} {@code "true"} or {@code "false"} (set by the agent), among its newest {@value
   * #MAX_ISOLATION_RESULTS_PER_AGENT}; agents without one are absent. The change time is when the
   * collector received that result. Each agent's results are ranked on their own, so a busy fleet's
   * newer results never hide an older isolation of a quiet host.
   */
  public synchronized Map<String, Isolation> isolation() {
    Map<String, Isolation> out = new HashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT agent_id, received_ns, payload FROM ("
                + "SELECT r.agent_id, r.received_ns, r.payload, row_number() OVER ("
                + "PARTITION BY r.agent_id ORDER BY r.received_ns DESC, r.command_id DESC) AS n"
                + " FROM command_results r"
                + " JOIN commands c ON c.command_id = r.command_id AND c.agent_id = r.agent_id"
                + " WHERE c.action IN ('isolate', 'release'))"
                + " WHERE n <= ? ORDER BY agent_id, n")) {
      ps.setInt(1, MAX_ISOLATION_RESULTS_PER_AGENT);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String agent = rs.getString(1);
          if (out.containsKey(agent)) {
            continue;
          }
          String isolated = isolatedFact(rs.getBytes(3));
          if (isolated.equals("true") || isolated.equals("false")) {
            out.put(agent, new Isolation(isolated.equals("true"), rs.getLong(2)));
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read isolation results in " + file, e);
    }
  }

  private static String isolatedFact(byte[] payload) {
    try {
      return CommandResult.parseFrom(payload).getFactsOrDefault("isolated", "");
    } catch (InvalidProtocolBufferException e) {
      return ""; // parsed at ingest; a row that does not parse says nothing
    }
  }

  /**
   * The entity id of the newest process (by exec time) the collector stored with {@code pid} for
   * the agent: from exec events and snapshots in the process table.
   */
  public synchronized Optional<String> newestEntityId(String agentId, long pid) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT entity_id FROM processes WHERE agent_id=? AND pid=?"
                + " ORDER BY exec_time_ns DESC LIMIT 1")) {
      ps.setString(1, agentId);
      ps.setLong(2, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new StoreException("cannot read processes of agent " + agentId + " in " + file, e);
    }
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<CommandRow> query(String sql, Binder binder) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      binder.bind(ps);
      List<CommandRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new CommandRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getLong(6),
                  rs.getLong(7),
                  rs.getBytes(8),
                  rs.getString(9),
                  rs.getLong(10),
                  rs.getLong(11)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("cannot read the command queue in " + file, e);
    }
  }

  private void update(String sql, long nowNs, String commandId) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setLong(1, nowNs);
      ps.setString(2, commandId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot update command " + commandId + " in " + file, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close " + file, e);
    }
  }
}
