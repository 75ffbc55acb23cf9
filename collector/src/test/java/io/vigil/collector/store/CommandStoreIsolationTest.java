package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.proto.v1.CommandResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CommandStore#isolation}: each agent's newest isolate or release result that says, however
 * many newer results other agents have.
 */
class CommandStoreIsolationTest {
  @TempDir Path dir;

  @Test
  void anOldIsolationIsShownUnderManyNewerResultsOfOtherAgents() throws Exception {
    Path db = dir.resolve("vigil.db");
    EventStore.open(db).close();
    try (CommandStore store = CommandStore.open(db);
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath())) {
      c.setAutoCommit(false);
      long t = 1_000;
      // The quiet host: isolated long ago, then a release that was rejected (no isolated fact).
      result(store, c, "quiet", "q1", "isolate", t++, Map.of("isolated", "true"));
      result(store, c, "quiet", "q2", "release", t++, Map.of());
      // A busy fleet: 10 500 isolate/release results of other agents, all newer.
      for (int i = 0; i < 10_500; i++) {
        String agent = "busy-" + (i % 50);
        result(
            store,
            c,
            agent,
            "b" + i,
            i % 2 == 0 ? "isolate" : "release",
            t++,
            Map.of("isolated", i % 2 == 0 ? "true" : "false"));
      }
      c.commit();

      Map<String, CommandStore.Isolation> iso = store.isolation();
      assertEquals(new CommandStore.Isolation(true, 1_000), iso.get("quiet"));
      assertEquals(51, iso.size(), "every agent with a result that says");
      // busy-1's newest is a release (odd i): not isolated.
      assertFalse(iso.get("busy-1").isolated());
      assertEquals(true, iso.get("busy-0").isolated());
    }
  }

  private static void result(
      CommandStore store,
      Connection c,
      String agent,
      String id,
      String action,
      long receivedNs,
      Map<String, String> facts)
      throws Exception {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO commands(command_id, agent_id, action, arguments, issued_by, issued_ns,"
                + " expires_ns, payload, status) VALUES(?, ?, ?, '{}', 'rick', ?, 0, x'', 'done')")) {
      ps.setString(1, id);
      ps.setString(2, agent);
      ps.setString(3, action);
      ps.setLong(4, receivedNs);
      ps.executeUpdate();
    }
    CommandResult r =
        CommandResult.newBuilder()
            .setCommandId(id)
            .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
            .putAllFacts(facts)
            .build();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO command_results(agent_id, command_id, outcome, detail, finished_ns,"
                + " received_ns, payload) VALUES(?, ?, 'succeeded', '', ?, ?, ?)")) {
      ps.setString(1, agent);
      ps.setString(2, id);
      ps.setLong(3, receivedNs);
      ps.setLong(4, receivedNs);
      ps.setBytes(5, r.toByteArray());
      ps.executeUpdate();
    }
  }
}
