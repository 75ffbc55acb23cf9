package io.vigil.collector.store;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A collector database for triage tests, created by {@link EventStore#open} (so the schema is the
 * real one) and filled with plain SQL: the writer API for the alert workflow columns belongs to the
 * ingest side and is not what these tests are about.
 */
public final class AlertFixture implements AutoCloseable {
  private final Connection c;

  private AlertFixture(Connection c) {
    this.c = c;
  }

  public static AlertFixture create(Path db) throws SQLException {
    EventStore.open(db).close();
    return new AlertFixture(DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath()));
  }

  public void agent(String agentId, String hostname) throws SQLException {
    exec(
        "INSERT INTO agents(agent_id, hostname, first_seen_ns, last_seen_ns) VALUES(?, ?, 1, 1)",
        agentId,
        hostname);
  }

  public long stream(String agentId, String epoch) throws SQLException {
    exec(
        "INSERT INTO streams(agent_id, epoch, watermark, first_seen_ns) VALUES(?, ?, 0, 1)",
        agentId,
        epoch);
    return lastId();
  }

  /** Stores {@code e} under its seq, with {@code entityId} as its acting process (may be null). */
  public void event(long streamId, Event e, String entityId) throws SQLException {
    exec(
        "INSERT INTO events(stream_id, seq, kind, event_time_ns, receive_time_ns, payload,"
            + " entity_id) VALUES(?, ?, 10, ?, ?, ?, ?)",
        streamId,
        e.getSeq(),
        e.getEventTimeNs(),
        e.getEventTimeNs() + 1000,
        e.toByteArray(),
        entityId);
  }

  /** Records {@code entityId}'s exec at ({@code streamId}, {@code seq}) in the process table. */
  public void process(String agentId, String entityId, long streamId, long seq)
      throws SQLException {
    exec(
        "INSERT INTO processes(agent_id, entity_id, pid, image, command_line, exec_time_ns,"
            + " stream_id, seq) VALUES(?, ?, 1, '', '', 1, ?, ?)",
        agentId,
        entityId,
        streamId,
        seq);
  }

  /**
   * Inserts an alert: {@code columns} override the defaults (a Sigma alert of rule {@code r1},
   * level high, on event {@code seq} of {@code streamId}).
   */
  public long alert(String agentId, long streamId, long seq, Map<String, Object> columns)
      throws SQLException {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("agent_id", agentId);
    v.put("stream_id", streamId);
    v.put("seq", seq);
    v.put("event_kind", 10);
    v.put("event_time_ns", seq * 1_000_000_000L);
    v.put("stored_ns", seq * 1_000_000_000L + 1000);
    v.put("rule_id", "r1");
    v.put("title", "Title " + seq);
    v.put("level", "high");
    v.put("tags", "[\"attack.t1059\"]");
    v.put("matched_fields", "{\"Image\":[\"/usr/bin/curl\"]}");
    v.put("rule_origin", "/rules/r1.yml");
    v.putAll(columns);
    exec(
        "INSERT INTO alerts("
            + String.join(",", v.keySet())
            + ") VALUES("
            + String.join(",", v.keySet().stream().map(k -> "?").toList())
            + ")",
        v.values().toArray());
    return lastId();
  }

  public void alertEvent(long alertId, long streamId, long seq, long timeNs, String role)
      throws SQLException {
    exec(
        "INSERT INTO alert_events(alert_id, stream_id, seq, event_time_ns, role) VALUES(?,?,?,?,?)",
        alertId,
        streamId,
        seq,
        timeNs,
        role);
  }

  /** The alert's {@code state, assignee, close_reason, updated_ns}. */
  public List<Object> alertState(long id) throws SQLException {
    return row("SELECT state, assignee, close_reason, updated_ns FROM alerts WHERE id = ?", id);
  }

  public List<List<Object>> changes(long alertId) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT at_ns, actor, action, old_value, new_value, note FROM alert_changes"
                + " WHERE alert_id = ? ORDER BY id")) {
      ps.setLong(1, alertId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Object> r = new ArrayList<>();
          for (int i = 1; i <= 6; i++) {
            r.add(normal(rs.getObject(i)));
          }
          out.add(r);
        }
      }
    }
    return out;
  }

  public void sql(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private List<Object> row(String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<Object> r = new ArrayList<>();
        if (rs.next()) {
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            r.add(normal(rs.getObject(i)));
          }
        }
        return r;
      }
    }
  }

  /** SQLite integers come back as Integer or Long by size; tests compare with Long. */
  private static Object normal(Object o) {
    return o instanceof Integer i ? Long.valueOf(i) : o;
  }

  private void exec(String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private long lastId() throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }

  /** A process reference for test events. */
  public static ProcessRef process(
      String entityId, int pid, String image, String cmd, String user) {
    return ProcessRef.newBuilder()
        .setEntityId(entityId)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(cmd)
        .setUser(user)
        .build();
  }

  /** An exec event of {@code p} (child of {@code parent}) at second {@code seq}. */
  public static Event exec(long seq, ProcessRef p, ProcessRef parent) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(seq * 1_000_000_000L)
        .setProcessExec(ProcessExec.newBuilder().setProcess(p).setParent(parent))
        .build();
  }

  /** A file event of {@code p} on {@code path} at second {@code seq}. */
  public static Event file(long seq, ProcessRef p, String path) {
    return Event.newBuilder()
        .setSeq(seq)
        .setEventTimeNs(seq * 1_000_000_000L)
        .setFile(
            FileEvent.newBuilder()
                .setProcess(p)
                .setPath(path)
                .setAction(FileEvent.Action.ACTION_CREATE))
        .build();
  }
}
