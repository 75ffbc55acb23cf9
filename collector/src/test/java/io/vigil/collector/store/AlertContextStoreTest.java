package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.collector.store.AlertWrites.Outcome;
import io.vigil.collector.store.AlertWrites.Result;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new alert row holds besides the rule's findings: host, process, chain, members. */
class AlertContextStoreTest {
  @TempDir Path dir;

  private static ProcessFacts exec(
      String id, long pid, String image, String parentId, long parentPid, long session) {
    return new ProcessFacts(
        true, id, pid, image, image + " --run", "alice", 7, parentId, parentPid, "", "", session);
  }

  private static List<Object> row(Path file, String sql, Object... args) throws Exception {
    try (Connection c = SqliteFiles.openReader(file);
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<Object> out = new ArrayList<>();
        if (rs.next()) {
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            out.add(rs.getObject(i));
          }
        }
        return out;
      }
    }
  }

  @Test
  void aNewAlertCarriesItsHostProcessAndParentChainUpToTheSessionLeader() throws Exception {
    Path file = dir.resolve("vigil.db");
    long alertId;
    try (EventStore store = EventStore.open(file)) {
      store.agents().upsert("agent-a", "web-01", new byte[0], "1.0", "e1", 1, null);
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      ProcessFacts sshd = exec("sshd", 800, "/usr/sbin/sshd", "systemd", 1, -1);
      ProcessFacts login = exec("sshd-child", 900, "/usr/sbin/sshd", "sshd", 800, 3);
      ProcessFacts bash = exec("bash", 901, "/bin/bash", "sshd-child", 900, 3);
      ProcessFacts curl = exec("curl", 950, "/usr/bin/curl", "bash", 901, 3);
      long seq = 0;
      for (ProcessFacts p : List.of(sshd, login, bash, curl)) {
        seq++;
        store.events().insertEvent(s.streamId(), seq, 1, 100 + seq, 200, new byte[0], p.entityId());
        store.processes().recordExec("agent-a", s.streamId(), seq, 100 + seq, p);
      }
      // Another agent's process of the same entity id must not be taken for this agent's.
      store.processes().recordExec("agent-b", 99, 1, 1, exec("bash", 1, "/evil", "x", 0, 3));
      AlertContext ctx = new AlertContext("agent-a", s.streamId(), 4, 1, 104, 200, curl);
      NewAlert alert =
          new NewAlert(
              "intel",
              "intel:domain:bad.test",
              "known C2 domain",
              "critical",
              "[\"attack.t1071\"]",
              "{\"query\":[\"bad.test\"]}",
              "/etc/vigil/intel/c2.csv",
              "intel:domain:bad.test|agent-a",
              "{\"type\":\"domain\",\"value\":\"bad.test\"}",
              null,
              List.of());
      Result r = store.alerts().insert(ctx, alert);
      assertEquals(Outcome.INSERTED, r.outcome());
      assertEquals(1, r.count());
      alertId = r.alertId();
      store.commit();
    }
    List<Object> a =
        row(
            file,
            "SELECT source, state, count, first_event_time_ns, last_event_time_ns, dedupe_key,"
                + " hostname, entity_id, indicator, group_key, updated_ns, process"
                + " FROM alerts WHERE id=?",
            alertId);
    assertEquals("intel", a.get(0));
    assertEquals("new", a.get(1));
    assertEquals(1L, ((Number) a.get(2)).longValue());
    assertEquals(104L, ((Number) a.get(3)).longValue());
    assertEquals(104L, ((Number) a.get(4)).longValue());
    assertEquals("intel:domain:bad.test|agent-a", a.get(5));
    assertEquals("web-01", a.get(6));
    assertEquals("curl", a.get(7));
    assertEquals("{\"type\":\"domain\",\"value\":\"bad.test\"}", a.get(8));
    assertNull(a.get(9));
    assertEquals(200L, ((Number) a.get(10)).longValue());
    JsonObject process = JsonParser.parseString((String) a.get(11)).getAsJsonObject();
    assertEquals("/usr/bin/curl --run", process.get("command_line").getAsString());
    assertEquals(3, process.get("session_id").getAsLong());
    JsonArray chain = process.getAsJsonArray("chain");
    assertEquals(2, chain.size());
    assertEquals("/bin/bash", chain.get(0).getAsJsonObject().get("image").getAsString());
    assertEquals(900, chain.get(1).getAsJsonObject().get("pid").getAsLong());
    assertEquals("session_leader", process.get("chain_end").getAsString());
    // Everything the process did is one indexed query away.
    assertEquals(
        List.of(4L),
        List.of(
            ((Number) row(file, "SELECT seq FROM events WHERE entity_id='curl'").get(0))
                .longValue()));
  }

  @Test
  void aCorrelationSpansItsMembersAndRecordsThem() throws Exception {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      for (long seq = 1; seq <= 3; seq++) {
        store.events().insertEvent(s.streamId(), seq, 1, seq * 10, 100, new byte[0]);
      }
      NewAlert corr =
          new NewAlert(
              "correlation",
              "many-failed-logins",
              "five failed logins then a success",
              "high",
              "[]",
              "{}",
              "/rules/corr.yml",
              null,
              null,
              "{\"User\":\"root\"}",
              List.of(
                  new NewAlert.Member(s.streamId(), 1, 10),
                  new NewAlert.Member(s.streamId(), 2, 20),
                  new NewAlert.Member(s.streamId(), 2, 20)));
      AlertContext ctx = new AlertContext("agent-a", s.streamId(), 3, 1, 30, 100, null);
      Result r = store.alerts().insert(ctx, corr);
      assertEquals(Outcome.INSERTED, r.outcome());
      // The same correlation completed by the same event again (a replayed backlog).
      assertEquals(Outcome.DUPLICATE, store.alerts().insert(ctx, corr).outcome());
      store.commit();
    }
    List<Object> a =
        row(
            file,
            "SELECT first_event_time_ns, last_event_time_ns, group_key, hostname, process,"
                + " entity_id FROM alerts");
    assertEquals(10L, ((Number) a.get(0)).longValue());
    assertEquals(30L, ((Number) a.get(1)).longValue());
    assertEquals("{\"User\":\"root\"}", a.get(2));
    assertNull(a.get(3), "no agents row: host unknown");
    assertNull(a.get(4));
    assertNull(a.get(5));
    assertEquals(
        List.of(2L, 1L, 2L),
        row(file, "SELECT count(*), min(seq), max(seq) FROM alert_events WHERE role='member'")
            .stream()
            .map(o -> ((Number) o).longValue())
            .toList());
  }

  @Test
  void aLateOlderExecDoesNotReplaceTheProcessRowAndOnlyExecsAreRecorded() throws Exception {
    Path file = dir.resolve("vigil.db");
    try (EventStore store = EventStore.open(file)) {
      store.processes().recordExec("agent-a", 1, 2, 500, exec("p", 10, "/bin/new", "", 0, -1));
      store.processes().recordExec("agent-a", 1, 1, 400, exec("p", 10, "/bin/old", "", 0, -1));
      ProcessFacts notExec =
          new ProcessFacts(false, "q", 11, "/bin/q", "", "", 0, "", 0, "", "", -1);
      assertThrows(
          IllegalArgumentException.class,
          () -> store.processes().recordExec("agent-a", 1, 3, 600, notExec));
      store.commit();
    }
    List<Object> p =
        row(
            file,
            "SELECT image, seq, parent_entity_id, parent_pid, session_id, user"
                + " FROM processes WHERE entity_id='p'");
    assertEquals("/bin/new", p.get(0));
    assertEquals(2L, ((Number) p.get(1)).longValue());
    assertNull(p.get(2));
    assertNull(p.get(3));
    assertNull(p.get(4));
    assertEquals("alice", p.get(5));
  }
}
