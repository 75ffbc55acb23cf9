package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {
  private static List<String> tree(String json) {
    List<String> out = new ArrayList<>();
    ProcessTree.format(StoredJson.object(json).orElseThrow(), out);
    return out;
  }

  @Test
  void aProcessWithoutAncestorsSaysWhyAndMarksWhatTheCollectorCut() {
    List<String> out =
        tree(
            "{\"entity_id\":\"E\",\"pid\":7,\"image\":\"/usr/sbin/cron\",\"command_line\":\"cron\","
                + "\"user\":\"root\",\"session_id\":null,\"chain\":[],"
                + "\"chain_end\":\"unknown_parent\",\"truncated\":true}");
    assertEquals(
        "  /usr/sbin/cron [7] user root  cron  (cut by the collector)   <- acting process",
        out.get(0));
    assertEquals("  entity E", out.get(1), "a null session is not shown");
    assertTrue(
        out.get(2).startsWith("  no ancestors recorded; the chain ends where the parent is not"),
        out.get(2));
  }

  @Test
  void everyChainEndIsExplainedAndAnUnknownOneIsEscaped() {
    assertTrue(ProcessTree.chainEnd("init", 3).contains("init (pid 1)"));
    assertTrue(ProcessTree.chainEnd("depth_limit", 3).contains("depth limit"));
    assertTrue(ProcessTree.chainEnd("no_session", 3).contains("no login session"));
    assertEquals(
        "the chain end is not recorded (x\\x1b[2J)", ProcessTree.chainEnd("x\u001b[2J", 1));
  }
}
