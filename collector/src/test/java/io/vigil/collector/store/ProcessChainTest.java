package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessChainTest {
  /** A process table in memory: entity id to row. */
  private final Map<String, ProcessChain.Node> table = new HashMap<>();

  private void row(String id, long pid, String parent, String image, long session) {
    table.put(
        id, new ProcessChain.Node(id, pid, parent, image, image + " -x", "alice", session, true));
  }

  private static ProcessFacts exec(
      String id, long pid, String parentId, long parentPid, String parentImage, long session) {
    return new ProcessFacts(
        true,
        id,
        pid,
        "/usr/bin/curl",
        "curl http://example.test",
        "alice",
        1,
        parentId,
        parentPid,
        parentImage,
        parentImage + " -c",
        session);
  }

  /** The acting process of a non-exec event (file, connection): no parent, no session. */
  private static ProcessFacts actor(String id, long pid) {
    return new ProcessFacts(false, id, pid, "/usr/bin/curl", "", "", 0, "", 0, "", "", -1);
  }

  private ProcessChain.Walk walk(ProcessFacts p) {
    return ProcessChain.walk(p, table::get);
  }

  private static List<String> ids(ProcessChain.Walk w) {
    return w.chain().stream().map(ProcessChain.Node::entityId).toList();
  }

  /** systemd(1) <- sshd(-) <- sshd child(5) <- bash(5) <- curl(5): an SSH login. */
  private void sshLogin() {
    row("systemd", 1, "", "/usr/lib/systemd/systemd", -1);
    row("sshd", 800, "systemd", "/usr/sbin/sshd", -1);
    row("sshd-child", 900, "sshd", "/usr/sbin/sshd", 5);
    row("bash", 901, "sshd-child", "/bin/bash", 5);
  }

  @Test
  void aProcessInASessionIsWalkedUpToItsSessionLeaderAndNoFurther() {
    sshLogin();
    ProcessChain.Walk w = walk(exec("curl", 950, "bash", 901, "/bin/bash", 5));
    assertEquals(List.of("bash", "sshd-child"), ids(w));
    assertEquals(ProcessChain.End.SESSION_LEADER, w.end());
    assertEquals(5, w.self().sessionId());
    assertEquals("/bin/bash -x", w.chain().get(0).commandLine(), "the table row, not the event");
  }

  @Test
  void theSessionLeaderItselfHasAnEmptyChain() {
    sshLogin();
    ProcessChain.Walk w = walk(exec("sshd-child2", 990, "sshd", 800, "/usr/sbin/sshd", 7));
    assertEquals(List.of(), ids(w));
    assertEquals(ProcessChain.End.SESSION_LEADER, w.end());
  }

  @Test
  void aProcessOutsideAnySessionIsWalkedUpToInit() {
    row("systemd", 1, "", "/usr/lib/systemd/systemd", -1);
    row("fpm-master", 300, "systemd", "/usr/sbin/php-fpm", -1);
    row("fpm-worker", 310, "fpm-master", "/usr/sbin/php-fpm", -1);
    row("sh", 400, "fpm-worker", "/bin/sh", -1);
    ProcessChain.Walk w = walk(exec("curl", 401, "sh", 400, "/bin/sh", -1));
    assertEquals(List.of("sh", "fpm-worker", "fpm-master", "systemd"), ids(w));
    assertEquals(ProcessChain.End.INIT, w.end());
    assertEquals(-1, w.self().sessionId());
  }

  @Test
  void initItselfHasNoChain() {
    ProcessChain.Walk w = walk(exec("systemd", 1, "", 0, "", -1));
    assertEquals(List.of(), ids(w));
    assertEquals(ProcessChain.End.INIT, w.end());
  }

  @Test
  void aParentTheTableLacksIsTakenFromTheEventAndEndsTheChain() {
    ProcessChain.Walk w = walk(exec("curl", 950, "old-bash", 700, "/bin/bash", 5));
    assertEquals(List.of("old-bash"), ids(w));
    ProcessChain.Node parent = w.chain().get(0);
    assertEquals(700, parent.pid());
    assertEquals("/bin/bash", parent.image());
    assertEquals("/bin/bash -c", parent.commandLine());
    assertFalse(parent.stored());
    assertEquals(ProcessChain.End.UNKNOWN_PARENT, w.end());
  }

  @Test
  void aMissingGrandparentEndsTheChainAsUnknown() {
    row("bash", 901, "never-seen", "/bin/bash", -1);
    ProcessChain.Walk w = walk(exec("curl", 950, "bash", 901, "/bin/bash", -1));
    assertEquals(List.of("bash"), ids(w));
    assertEquals(ProcessChain.End.UNKNOWN_PARENT, w.end());
  }

  @Test
  void aNonExecEventFindsItsParentAndSessionThroughItsOwnRow() {
    sshLogin();
    row("curl", 950, "bash", "/usr/bin/curl", 5);
    ProcessChain.Walk w = walk(actor("curl", 950));
    assertEquals(List.of("bash", "sshd-child"), ids(w));
    assertEquals(ProcessChain.End.SESSION_LEADER, w.end());
    assertEquals(5, w.self().sessionId());
    assertEquals("alice", w.self().user(), "filled from the row");

    ProcessChain.Walk unknown = walk(actor("never-exec-seen", 42));
    assertEquals(List.of(), ids(unknown));
    assertEquals(ProcessChain.End.UNKNOWN_PARENT, unknown.end());
  }

  @Test
  void aDeepChainStopsAtTheDepthLimit() {
    for (int i = 0; i < 40; i++) {
      row("p" + i, 1000 + i, "p" + (i + 1), "/bin/sh", -1);
    }
    ProcessChain.Walk w = walk(exec("curl", 999, "p0", 1000, "/bin/sh", -1));
    assertEquals(ProcessChain.MAX_DEPTH, w.chain().size());
    assertEquals("p31", w.chain().get(31).entityId());
    assertEquals(ProcessChain.End.DEPTH_LIMIT, w.end());
  }

  @Test
  void aCycleInParentLinksEndsTheWalk() {
    row("a", 10, "b", "/bin/a", -1);
    row("b", 11, "c", "/bin/b", -1);
    row("c", 12, "a", "/bin/c", -1);
    ProcessChain.Walk w = walk(exec("curl", 9, "a", 10, "/bin/a", -1));
    assertEquals(List.of("a", "b", "c"), ids(w));
    assertEquals(ProcessChain.End.UNKNOWN_PARENT, w.end());

    // A process that is its own ancestor.
    row("loop", 20, "curl2", "/bin/loop", -1);
    row("curl2", 21, "loop", "/usr/bin/curl", -1);
    ProcessChain.Walk self = walk(exec("curl2", 21, "loop", 20, "/bin/loop", -1));
    assertEquals(List.of("loop"), ids(self));
    assertEquals(ProcessChain.End.UNKNOWN_PARENT, self.end());
  }

  @Test
  void theJsonNamesTheProcessAndItsChainAndBoundsAttackerStrings() {
    sshLogin();
    String huge = "A\"\n\u2028".repeat(5_000) + "é"; // 25,000 chars, escapes and non-ASCII
    ProcessFacts p =
        new ProcessFacts(
            true, "curl", 950, "/usr/bin/curl", huge, "alice", 1, "bash", 901, "", "", 5);
    JsonObject o = JsonParser.parseString(ProcessContextJson.of(walk(p))).getAsJsonObject();
    assertEquals("curl", o.get("entity_id").getAsString());
    assertEquals(950, o.get("pid").getAsLong());
    assertEquals("/usr/bin/curl", o.get("image").getAsString());
    assertEquals("alice", o.get("user").getAsString());
    assertEquals(5, o.get("session_id").getAsLong());
    String kept = o.get("command_line").getAsString();
    assertTrue(huge.startsWith(kept));
    assertTrue(kept.getBytes(StandardCharsets.UTF_8).length <= ProcessContextJson.MAX_FIELD_BYTES);
    assertTrue(
        kept.getBytes(StandardCharsets.UTF_8).length > ProcessContextJson.MAX_FIELD_BYTES - 4);
    assertTrue(o.get("truncated").getAsBoolean());
    JsonArray chain = o.getAsJsonArray("chain");
    assertEquals(2, chain.size());
    JsonObject parent = chain.get(0).getAsJsonObject();
    assertEquals("bash", parent.get("entity_id").getAsString());
    assertEquals(901, parent.get("pid").getAsLong());
    assertEquals("/bin/bash", parent.get("image").getAsString());
    assertEquals("/bin/bash -x", parent.get("command_line").getAsString());
    assertFalse(parent.has("truncated"));
    assertEquals("sshd-child", chain.get(1).getAsJsonObject().get("entity_id").getAsString());
    assertEquals("session_leader", o.get("chain_end").getAsString());

    JsonObject none =
        JsonParser.parseString(ProcessContextJson.of(walk(actor("x", 3)))).getAsJsonObject();
    assertTrue(none.get("session_id").isJsonNull());
    assertEquals(0, none.getAsJsonArray("chain").size());
    assertEquals("unknown_parent", none.get("chain_end").getAsString());
    assertFalse(none.has("truncated"));
  }

  @Test
  void boundingNeverSplitsACharacter() {
    assertEquals("ab", ProcessContextJson.bounded("ab", 2));
    assertEquals("a", ProcessContextJson.bounded("a\uD83D\uDE00", 4), "the emoji needs 4 more");
    assertEquals("a\uD83D\uDE00", ProcessContextJson.bounded("a\uD83D\uDE00b", 5));
    assertEquals("", ProcessContextJson.bounded("é", 1));
  }
}
