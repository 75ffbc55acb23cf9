package io.vigil.testkit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.agent.sensor.synthetic.SyntheticEvents;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Reads a collector's SQLite store from outside the collector process, the way an operator with the
 * sqlite3 tool would: the test checks what was stored, not what processes claim they did.
 */
public final class StoreProbe {
  private final Path db;

  public StoreProbe(Path db) {
    this.db = db;
  }

  private Connection open() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
    c.createStatement().execute("PRAGMA busy_timeout=10000");
    return c;
  }

  /** Stored events with a synthetic payload (0 while the store does not exist yet). */
  public long syntheticCount() {
    return count("SELECT count(*) FROM events WHERE kind NOT IN (18, 19, 20)");
  }

  public long count(String sql) {
    if (!Files.exists(db)) {
      return 0;
    }
    try (Connection c = open();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("no such table")) {
        return 0;
      }
      throw new AssertionError("cannot query " + db + ": " + e.getMessage(), e);
    }
  }

  /** Synthetic numbers found in stored payloads, and how often each was seen. */
  public record Numbers(BitSet seen, BitSet seenTwice, long events) {
    /** Numbers in 1..n that are not stored. */
    public BitSet missing(long n) {
      BitSet m = new BitSet();
      m.set(1, (int) n + 1);
      m.andNot(seen);
      return m;
    }
  }

  /** Decodes every stored payload (optionally of one epoch) and collects synthetic numbers. */
  public Numbers numbers(String epochOrNull) throws Exception {
    BitSet seen = new BitSet();
    BitSet twice = new BitSet();
    long events = 0;
    String sql = "SELECT payload FROM events_v" + (epochOrNull == null ? "" : " WHERE epoch = ?");
    try (Connection c = open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (epochOrNull != null) {
        ps.setString(1, epochOrNull);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          events++;
          OptionalLong n = SyntheticEvents.numberOf(Event.parseFrom(rs.getBytes(1)));
          if (n.isPresent()) {
            int i = Math.toIntExact(n.getAsLong());
            if (seen.get(i)) {
              twice.set(i);
            }
            seen.set(i);
          }
        }
      }
    }
    return new Numbers(seen, twice, events);
  }

  /** Seqs of all stored events of one stream. */
  public BitSet storedSeqs(String epoch) throws SQLException {
    BitSet seqs = new BitSet();
    try (Connection c = open();
        PreparedStatement ps = c.prepareStatement("SELECT seq FROM events_v WHERE epoch = ?")) {
      ps.setString(1, epoch);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          seqs.set(Math.toIntExact(rs.getLong(1)));
        }
      }
    }
    return seqs;
  }

  /** Gap events stored, decoded from their payloads. */
  public List<Gap> gaps() throws SQLException, InvalidProtocolBufferException {
    List<Gap> out = new ArrayList<>();
    try (Connection c = open();
        ResultSet rs =
            c.createStatement().executeQuery("SELECT payload FROM events WHERE kind = 20")) {
      while (rs.next()) {
        out.add(Event.parseFrom(rs.getBytes(1)).getGap());
      }
    }
    return out;
  }

  /** Distinct stream epochs stored. */
  public List<String> epochs() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = open();
        ResultSet rs =
            c.createStatement().executeQuery("SELECT epoch FROM streams ORDER BY first_seen_ns")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /**
   * Every stored event of one kind, decoded, in storage order (empty while the store or its tables
   * do not exist yet).
   */
  public List<Event> events(EventKind kind) {
    List<Event> out = new ArrayList<>();
    if (!Files.exists(db)) {
      return out;
    }
    try (Connection c = open();
        PreparedStatement ps =
            c.prepareStatement("SELECT payload FROM events WHERE kind = ? ORDER BY id")) {
      ps.setInt(1, kind.getNumber());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Event.parseFrom(rs.getBytes(1)));
        }
      }
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("no such table")) {
        return out;
      }
      throw new AssertionError("cannot query " + db + ": " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("a stored " + kind + " payload does not parse: " + e, e);
    }
    return out;
  }

  /** Stored exec events with an argument that contains {@code token}. */
  public List<ProcessExec> execsWithArg(String token) {
    return execs(x -> x.getArgsList().stream().anyMatch(a -> a.contains(token)));
  }

  /** Stored exec events that satisfy {@code filter}. */
  public List<ProcessExec> execs(Predicate<ProcessExec> filter) {
    return events(EventKind.EVENT_KIND_PROCESS_EXEC).stream()
        .map(Event::getProcessExec)
        .filter(filter)
        .toList();
  }

  /** Stored connection events that satisfy {@code filter}. */
  public List<NetworkConnection> connections(Predicate<NetworkConnection> filter) {
    return events(EventKind.EVENT_KIND_CONNECTION).stream()
        .map(Event::getConnection)
        .filter(filter)
        .toList();
  }

  /** All stored agent status events. */
  public List<AgentStatus> agentStatuses() {
    return events(EventKind.EVENT_KIND_AGENT_STATUS).stream().map(Event::getAgentStatus).toList();
  }

  /** Every stored audit message (logins, sudo, user-space messages...), oldest first. */
  public List<AuditMessage> auditMessages() {
    return events(EventKind.EVENT_KIND_AUDIT).stream().map(Event::getAudit).toList();
  }

  /**
   * Every command of {@code action} (all actions when null) with its result when one arrived,
   * oldest first (empty while the store or its tables do not exist yet).
   */
  public List<StoredCommand> commands(String action) {
    List<StoredCommand> out = new ArrayList<>();
    if (!Files.exists(db)) {
      return out;
    }
    String sql =
        "SELECT c.command_id, c.agent_id, c.action, c.status, c.issued_ns, r.received_ns,"
            + " r.payload FROM commands c LEFT JOIN command_results r"
            + " ON r.agent_id = c.agent_id AND r.command_id = c.command_id"
            + (action == null ? "" : " WHERE c.action = ?")
            + " ORDER BY c.issued_ns, c.command_id";
    try (Connection c = open();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (action != null) {
        ps.setString(1, action);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] payload = rs.getBytes(7);
          long received = rs.getLong(6);
          boolean hasResult = !rs.wasNull() && payload != null;
          out.add(
              new StoredCommand(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5),
                  hasResult ? OptionalLong.of(received) : OptionalLong.empty(),
                  hasResult ? Optional.of(CommandResult.parseFrom(payload)) : Optional.empty()));
        }
      }
    } catch (SQLException e) {
      if (e.getMessage() != null && e.getMessage().contains("no such table")) {
        return out;
      }
      throw new AssertionError("cannot query " + db + ": " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("a stored command result does not parse: " + e, e);
    }
    return out;
  }

  /** The most recently stored agent status, if any. */
  public Optional<AgentStatus> latestAgentStatus() {
    List<AgentStatus> all = agentStatuses();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }
}
