package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.ProcessFacts;
import io.vigil.collector.store.StreamRef;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.Transport;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl tree} end to end in-process: the real operator API over TLS with a viewer token,
 * a real store holding a shell that ran curl and sh, one command line hostile; the tree nests them,
 * lists each process's events under it, escapes everything and bounds the command line.
 */
class ProcessTreeCliTest {
  /** Clears the screen, starts a new line, flips the text direction; then goes on and on. */
  private static final String HOSTILE_CMD =
      "curl -s http://127.0.0.1:8080/x\u001b[2J\nfake line\u202e " + "A".repeat(5000);

  private static final long T0 = 1_764_363_784_000_000_000L; // 2025-11-28 21:03:04 UTC

  @TempDir Path dir;
  private OperatorFixture api;
  private Path token;
  private final String agentId = UUID.randomUUID().toString();
  private final CtlRunner vigilctl = new CtlRunner(WallClock::nowNanos);
  private long seq;

  @BeforeEach
  void start() throws Exception {
    api = OperatorFixture.start(dir);
    api.trust.enrolled(agentId, "web-1");
    token = api.tokenFile("vera", api.token("vera", "viewer"));
    try (EventStore store = EventStore.open(api.db)) {
      StreamRef s = store.events().stream(agentId, "e1", 1);
      store(store, s, exec(ref("bash", 900, "/usr/bin/bash", "bash -c x"), "sshd", 0));
      store(store, s, exec(ref("curl", 901, "/usr/bin/curl", HOSTILE_CMD), "bash", 100));
      store(store, s, exec(ref("sh", 902, "/usr/bin/dash", "sh"), "bash", 200));
      store(
          store,
          s,
          at(
                  123,
                  Event.newBuilder()
                      .setConnection(
                          NetworkConnection.newBuilder()
                              .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
                              .setTransport(Transport.TRANSPORT_TCP)
                              .setSourceIp("10.0.0.5")
                              .setSourcePort(41234)
                              .setDestinationIp("127.0.0.1")
                              .setDestinationPort(8080)
                              .setDestinationHostname("example.org")
                              .setProcess(ref("curl", 901, "", ""))))
              .build());
      store(
          store,
          s,
          at(
                  300,
                  Event.newBuilder()
                      .setFile(
                          FileEvent.newBuilder()
                              .setAction(FileEvent.Action.ACTION_CREATE)
                              .setPath("/tmp/x.sh")
                              .setProcess(ref("sh", 902, "", ""))))
              .build());
      store(
          store,
          s,
          at(
                  150,
                  Event.newBuilder()
                      .setProcessExit(
                          ProcessExit.newBuilder()
                              .setProcess(ref("curl", 901, "", ""))
                              .setExitStatusKnown(true)))
              .build());
      store.commit();
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static ProcessRef ref(String id, int pid, String image, String cmd) {
    return ProcessRef.newBuilder()
        .setEntityId(id)
        .setPid(pid)
        .setImage(image)
        .setCommandLine(cmd)
        .setUser("root")
        .build();
  }

  private static Event.Builder at(long ms, Event.Builder e) {
    return e.setEventTimeNs(T0 + ms * 1_000_000L);
  }

  private static Event exec(ProcessRef p, String parent, long ms) {
    return at(
            ms,
            Event.newBuilder()
                .setProcessExec(
                    ProcessExec.newBuilder()
                        .setProcess(p)
                        .setParent(ProcessRef.newBuilder().setEntityId(parent))))
        .build();
  }

  /** As the ingest path stores it: indexed by process, an exec recorded in the process table. */
  private void store(EventStore store, StreamRef s, Event e) {
    Event stored = e.toBuilder().setSeq(++seq).build();
    ProcessFacts p = ProcessFacts.of(stored);
    store
        .events()
        .insertEvent(
            s.streamId(),
            seq,
            stored.getPayloadCase().getNumber(),
            stored.getEventTimeNs(),
            stored.getEventTimeNs(),
            stored.toByteArray(),
            p.entityId());
    if (p.exec()) {
      store.processes().recordExec(agentId, s.streamId(), seq, stored.getEventTimeNs(), p);
    }
  }

  private int ctl(String... args) {
    return vigilctl.ctl(api.ctlArgs(token), args);
  }

  private String out() {
    return vigilctl.out();
  }

  private static int lineOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    throw new AssertionError("no line with \"" + part + "\" in:\n" + String.join("\n", lines));
  }

  private static int indent(String line) {
    int i = 0;
    while (i < line.length()
        && (line.charAt(i) == ' ' || line.charAt(i) == '└' || line.charAt(i) == '─')) {
      i++;
    }
    return i;
  }

  @Test
  void theTreeNestsShellCurlAndShWithEachProcesssEventsUnderItEscapedAndBounded() {
    assertEquals(0, ctl("tree", "web-1", "curl"), out() + vigilctl.err());
    String text = out();
    for (char c : text.replace("\n", "").toCharArray()) {
      assertFalse(c < 0x20 || c == 0x7f || c == '\u202e', "raw control character in:\n" + text);
    }
    List<String> lines = text.lines().toList();
    int bash = lineOf(lines, "pid 900");
    int curl = lineOf(lines, "pid 901");
    int connect = lineOf(lines, "connect tcp");
    int exit = lineOf(lines, "exit code 0");
    assertTrue(bash < curl && curl < connect && connect < exit, text);
    assertTrue(indent(lines.get(curl)) > indent(lines.get(bash)), text);
    assertTrue(indent(lines.get(connect)) > indent(lines.get(curl)), "events under curl:\n" + text);
    assertEquals(
        "21:03:04.123  connect tcp 10.0.0.5:41234 -> 127.0.0.1:8080 (example.org)",
        lines.get(connect).strip());
    assertTrue(lines.get(curl).endsWith(TreeTimeline.TARGET_MARK), lines.get(curl));
    assertTrue(lines.get(curl).contains("\\x1b[2J\\x0afake line\\u202e"), lines.get(curl));
    assertTrue(lines.get(curl).length() < 700, "the command line is bounded: " + lines.get(curl));
    assertTrue(lines.get(curl).contains("more chars]"), lines.get(curl));
    assertFalse(text.contains("pid 902"), "sh is curl's sibling, not in curl's tree");

    assertEquals(0, ctl("tree", "web-1", "bash"), out() + vigilctl.err());
    lines = out().lines().toList();
    int sh = lineOf(lines, "pid 902");
    int file = lineOf(lines, "file create /tmp/x.sh");
    assertTrue(lineOf(lines, "pid 901") < sh && sh < file, out());
    assertEquals(indent(lines.get(lineOf(lines, "pid 901"))), indent(lines.get(sh)), "siblings");
    assertTrue(lines.get(0).startsWith("process tree of bash on web-1 (agent " + agentId), out());
  }

  @Test
  void jsonIsTheReplyOnOneLineWithControlCharactersEscaped() throws Exception {
    assertEquals(
        0, ctl("tree", "web-1", "curl", "--json", "--max-events", "1"), out() + vigilctl.err());
    String text = out();
    assertEquals(1, text.lines().count(), text);
    assertFalse(text.strip().chars().anyMatch(c -> c < 0x20), "one line, no raw control chars");
    ProcessTreeReply.Builder b = ProcessTreeReply.newBuilder();
    JsonFormat.parser().merge(text, b);
    assertEquals(2, b.getProcessesCount());
    assertEquals(HOSTILE_CMD, b.getProcesses(1).getCommandLine(), "JSON keeps the full value");
    assertEquals("target", b.getProcesses(1).getRelation());
    assertEquals(1, b.getEventsCount(), "--max-events 1");
    assertTrue(b.getTruncated(), "the exit was cut");
  }

  @Test
  void unknownProcessesHostsAndBadArgumentsAreReported() {
    assertEquals(1, ctl("tree", "web-1", "nope"));
    assertTrue(vigilctl.err().contains("no process with entity id"), vigilctl.err());
    assertEquals(1, ctl("tree", "web-9", "curl"));
    assertTrue(vigilctl.err().contains("no agent"), vigilctl.err());
    assertEquals(2, ctl("tree", "web-1"), "ENTITY missing");
    assertEquals(2, ctl("tree", "web-1", "curl", "--depth", "65"));
    assertTrue(vigilctl.err().contains("max_depth"), vigilctl.err());
    assertEquals(2, ctl("tree", "web-1", "curl", "--max-events", "0"));
  }
}
