package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process tree read from a real store written by the ingest path's own writes: ancestors as an
 * alert's chain, descendants breadth-first with siblings by exec time, the events of all of them
 * indexed by process, and every bound saying when it cut something.
 */
class ProcessTreeReaderTest {
  private static final String AGENT = "agent-a";

  @TempDir Path dir;
  private Path db;
  private EventStore store;
  private StreamRef stream;
  private long seq;

  @BeforeEach
  void open() {
    db = dir.resolve("vigil.db");
    store = EventStore.open(db);
    store.agents().upsert(AGENT, "web-01", new byte[0], "1.0", "e1", 1, null);
    stream = store.events().stream(AGENT, "e1", 1);
  }

  private static ProcessRef ref(String id, int pid, String image) {
    return ProcessRef.newBuilder()
        .setEntityId(id)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(image + " -x")
        .setUser("alice")
        .build();
  }

  /** Stores {@code e} as the ingest path does: the event indexed by process, an exec recorded. */
  private void store(String agentId, StreamRef s, Event e) {
    Event stored = e.toBuilder().setSeq(++seq).build();
    ProcessFacts p = ProcessFacts.of(stored);
    store
        .events()
        .insertEvent(
            s.streamId(),
            seq,
            stored.getPayloadCase().getNumber(),
            stored.getEventTimeNs(),
            stored.getEventTimeNs() + 5,
            stored.toByteArray(),
            p == null ? null : p.entityId());
    if (p != null && p.exec()) {
      store.processes().recordExec(agentId, s.streamId(), seq, stored.getEventTimeNs(), p);
    }
  }

  private void exec(String id, int pid, String image, String parent, int parentPid, long t) {
    exec(AGENT, stream, id, pid, image, parent, parentPid, t, 3);
  }

  private void exec(
      String agentId,
      StreamRef s,
      String id,
      int pid,
      String image,
      String parent,
      int parentPid,
      long t,
      int session) {
    store(
        agentId,
        s,
        Event.newBuilder()
            .setEventTimeNs(t)
            .setProcessExec(
                ProcessExec.newBuilder()
                    .setProcess(ref(id, pid, image))
                    .setParent(ref(parent, parentPid, ""))
                    .setSessionId(session))
            .build());
  }

  private void connect(String id, int pid, int port, long t) {
    store(
        AGENT,
        stream,
        Event.newBuilder()
            .setEventTimeNs(t)
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
                    .setDestinationIp("127.0.0.1")
                    .setDestinationPort(port)
                    .setProcess(ref(id, pid, "")))
            .build());
  }

  private void file(String id, String path, long t) {
    store(
        AGENT,
        stream,
        Event.newBuilder()
            .setEventTimeNs(t)
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_CREATE)
                    .setPath(path)
                    .setProcess(ref(id, 0, "")))
            .build());
  }

  private void exit(String id, long t) {
    store(
        AGENT,
        stream,
        Event.newBuilder()
            .setEventTimeNs(t)
            .setProcessExit(
                ProcessExit.newBuilder().setProcess(ref(id, 0, "")).setExitStatusKnown(true))
            .build());
  }

  private Optional<StoredTree> read(String entity, int maxEvents, int maxDepth) {
    store.commit();
    try (ProcessTreeReader r = ProcessTreeReader.open(db)) {
      return r.read(AGENT, entity, maxEvents, maxDepth);
    }
  }

  private static List<String> ids(StoredTree t) {
    return t.processes().stream().map(StoredTree.Process::entityId).toList();
  }

  /** sshd (session 1) > bash (3) > curl, sh (3); sh > cat; each with events. */
  private void shellWithCurlAndSh() {
    exec(AGENT, stream, "sshd", 800, "/usr/sbin/sshd", "init", 1, 100, 1);
    exec("bash", 900, "/bin/bash", "sshd", 800, 200);
    connect("bash", 900, 22, 150); // before curl's exec: not about it
    exec("sh", 902, "/bin/sh", "bash", 900, 400); // exec'd later, listed after curl
    exec("curl", 901, "/usr/bin/curl", "bash", 900, 300);
    connect("curl", 901, 8080, 310);
    file("sh", "/tmp/x.sh", 410);
    exec("cat", 903, "/bin/cat", "sh", 902, 420);
    exit("cat", 430);
    exit("curl", 320);
    connect("bash", 900, 443, 500); // the parent, while curl lived: shown
  }

  @Test
  void theEventScanIsBoundedByTheRowidRangeNotByTheAgentsWholeStream() throws Exception {
    shellWithCurlAndSh();
    List<String> plan = new java.util.ArrayList<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.PreparedStatement ps =
            c.prepareStatement("EXPLAIN QUERY PLAN " + ProcessTreeReader.scanSql(2, 3));
        java.sql.ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        plan.add(rs.getString("detail"));
      }
    }
    assertTrue(
        plan.stream().anyMatch(d -> d.contains("INTEGER PRIMARY KEY")),
        "a rowid range search: " + plan);
    assertFalse(
        plan.stream().anyMatch(d -> d.contains("events_stream_seq")),
        "not a walk of the agent's stream index per chunk: " + plan);
  }

  @Test
  void theTreeHoldsAncestorsTheProcessItsDescendantsInOrderAndTheirEventsByTime() {
    shellWithCurlAndSh();
    // Another agent's processes with the same entity ids are not this agent's.
    StreamRef other = store.events().stream("agent-b", "e9", 1);
    exec("agent-b", other, "evil", 1, "/evil", "curl", 901, 350, 3);

    StoredTree t = read("curl", 100, 8).orElseThrow();
    assertEquals(List.of("bash", "curl"), ids(t), "the session leader's parent is not walked");
    assertEquals(StoredTree.Relation.ANCESTOR, t.processes().get(0).relation());
    assertEquals(-1, t.processes().get(0).depth());
    assertEquals(StoredTree.Relation.TARGET, t.processes().get(1).relation());
    assertEquals(300, t.processes().get(1).execTimeNs());
    assertEquals(900, t.processes().get(1).parentPid());
    assertEquals("/usr/bin/curl -x", t.processes().get(1).commandLine());
    assertEquals(
        List.of(310L, 320L, 500L),
        t.events().stream().map(StoredTree.Event::eventTimeNs).toList(),
        "curl's connection and exit, the parent's connection after curl's exec; no exec event");
    assertEquals(
        List.of("curl", "curl", "bash"),
        t.events().stream().map(StoredTree.Event::entityId).toList());
    assertFalse(t.truncated());

    StoredTree b = read("bash", 100, 8).orElseThrow();
    assertEquals(List.of("bash", "curl", "sh", "cat"), ids(b), "siblings by exec time");
    assertEquals(
        List.of(0, 1, 1, 2), b.processes().stream().map(StoredTree.Process::depth).toList());
    assertEquals(
        List.of(150L, 310L, 320L, 410L, 430L, 500L),
        b.events().stream().map(StoredTree.Event::eventTimeNs).toList());
  }

  @Test
  void theDepthBoundCutsGrandchildrenAndSaysSo() {
    shellWithCurlAndSh();
    StoredTree one = read("bash", 100, 1).orElseThrow();
    assertEquals(List.of("bash", "curl", "sh"), ids(one));
    assertTrue(one.truncated(), "cat, below sh, was left out");
    assertTrue(one.events().stream().noneMatch(e -> e.entityId().equals("cat")));

    StoredTree two = read("bash", 100, 2).orElseThrow();
    assertEquals(List.of("bash", "curl", "sh", "cat"), ids(two));
    assertFalse(two.truncated(), "nothing below cat");

    StoredTree none = read("bash", 100, 0).orElseThrow();
    assertEquals(List.of("bash"), ids(none));
    assertTrue(none.truncated());
  }

  @Test
  void theEventBoundKeepsTheOldestEventsAndSaysSo() {
    shellWithCurlAndSh();
    StoredTree t = read("bash", 2, 8).orElseThrow();
    assertEquals(
        List.of(150L, 310L), t.events().stream().map(StoredTree.Event::eventTimeNs).toList());
    assertTrue(t.truncated());
    assertFalse(read("bash", 6, 8).orElseThrow().truncated(), "exactly six events: none cut");
  }

  @Test
  void descendantsStopAtTheProcessCap() {
    exec("root", 10, "/bin/sh", "init", 1, 1);
    for (int i = 0; i < ProcessTreeReader.MAX_DESCENDANTS + 2; i++) {
      exec("c" + i, 100 + i, "/bin/true", "root", 10, 10 + i);
    }
    StoredTree t = read("root", 10, 8).orElseThrow();
    List<StoredTree.Process> kids =
        t.processes().stream().filter(p -> p.relation() == StoredTree.Relation.DESCENDANT).toList();
    assertEquals(ProcessTreeReader.MAX_DESCENDANTS, kids.size());
    assertEquals("c0", kids.get(0).entityId(), "the oldest children are kept");
    assertEquals("c999", kids.get(kids.size() - 1).entityId());
    assertTrue(t.truncated());
  }

  @Test
  void aCycleInParentLinksEndsTheWalk() {
    exec("a", 20, "/bin/a", "b", 21, 10);
    exec("b", 21, "/bin/b", "a", 20, 11);
    StoredTree t = read("a", 10, 8).orElseThrow();
    assertEquals(List.of("b", "a"), ids(t), "b once, as the ancestor; not again as a child");
  }

  @Test
  void aParentWhoseExecWasNotSeenIsShownByItsPid() {
    exec(AGENT, stream, "orphan", 30, "/bin/x", "gone", 29, 10, -1);
    StoredTree t = read("orphan", 10, 8).orElseThrow();
    assertEquals(List.of("gone", "orphan"), ids(t));
    StoredTree.Process parent = t.processes().get(0);
    assertEquals(29, parent.pid());
    assertEquals("", parent.image());
    assertEquals(0, parent.execTimeNs());
  }

  @Test
  void anUnknownProcessIsEmptyAndBadBoundsAreRefusedByName() {
    shellWithCurlAndSh();
    assertTrue(read("nope", 10, 8).isEmpty());
    try (ProcessTreeReader r = ProcessTreeReader.open(db)) {
      assertTrue(r.read("agent-b", "curl", 10, 8).isEmpty(), "another agent's process");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> r.read(AGENT, "curl", 0, 8));
      assertTrue(e.getMessage().startsWith("max_events"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> r.read(AGENT, "curl", 1, 65));
      assertTrue(e.getMessage().startsWith("max_depth"), e.getMessage());
    }
  }

  @Test
  void aFlowWithItsLocalProcessIsIndexedByIt() {
    exec("curl", 901, "/usr/bin/curl", "bash", 900, 300);
    store(
        AGENT,
        stream,
        Event.newBuilder()
            .setEventTimeNs(320)
            .setFlow(Flow.newBuilder().setDestinationPort(80).setProcess(ref("curl", 901, "")))
            .build());
    StoredTree t = read("curl", 10, 8).orElseThrow();
    assertEquals(1, t.events().size());
    assertEquals(14, parse(t.events().get(0)).getPayloadCase().getNumber());
  }

  @Test
  void theTreeIsReadWhileTheWriterHoldsAnOpenTransaction() {
    shellWithCurlAndSh();
    store.commit();
    exec("late", 999, "/bin/late", "curl", 901, 600); // uncommitted
    try (ProcessTreeReader r = ProcessTreeReader.open(db)) {
      assertEquals(List.of("bash", "curl"), ids(r.read(AGENT, "curl", 10, 8).orElseThrow()));
    }
  }

  @Test
  void whenRetentionDeletedTheExecTheScanStartsAtItsTime() throws Exception {
    shellWithCurlAndSh();
    store.commit();
    long execId;
    try (java.sql.Connection c = SqliteFiles.openReader(db);
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs =
            s.executeQuery(
                "SELECT e.id FROM events e JOIN processes p"
                    + " ON e.stream_id = p.stream_id AND e.seq = p.seq WHERE p.entity_id = 'curl'")) {
      assertTrue(rs.next());
      execId = rs.getLong(1);
    }
    assertEquals(1, store.retention().deleteEvents(execId, execId + 1));
    store.commit();
    StoredTree t = read("curl", 100, 8).orElseThrow();
    assertEquals(
        List.of(310L, 320L, 500L),
        t.events().stream().map(StoredTree.Event::eventTimeNs).toList(),
        "found from the first event received at or after the exec time");
    assertFalse(t.truncated());
  }

  private static Event parse(StoredTree.Event e) {
    try {
      return Event.parseFrom(e.payload());
    } catch (Exception x) {
      throw new AssertionError(x);
    }
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    store.close();
  }
}
