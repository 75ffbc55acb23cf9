package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import org.junit.jupiter.api.Test;

class EventLineTest {

  @Test
  void auditLineNamesTypeResultAndProcessWithEscapes() {
    Event e =
        Event.newBuilder()
            .setSeq(7)
            .setAudit(
                AuditMessage.newBuilder()
                    .setType("USER_LOGIN")
                    .setResult("failed")
                    .setProcess(
                        ProcessRef.newBuilder().setPid(42).setImage("/usr/sbin/sshd\u001b[2J")))
            .build();
    String line = EventLine.format("web-1", e);
    assertTrue(line.contains("#7 audit USER_LOGIN failed pid=42 /usr/sbin/sshd"), line);
    assertFalse(line.contains("\u001b"), "terminal escapes must not reach the terminal: " + line);
  }

  @Test
  void connectionLineShowsDirectionAndProcess() {
    Event e =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
                    .setTransport(Transport.TRANSPORT_TCP)
                    .setSourceIp("10.0.0.1")
                    .setSourcePort(40000)
                    .setDestinationIp("10.0.0.2")
                    .setDestinationPort(443)
                    .setProcess(ProcessRef.newBuilder().setPid(9).setImage("/usr/bin/curl")))
            .build();
    String line = EventLine.format("h", e);
    assertEquals(
        "10.0.0.1:40000 -> 10.0.0.2:443 outbound tcp pid=9 /usr/bin/curl",
        line.substring(line.indexOf("connection ") + "connection ".length()));
  }

  @Test
  void listeningSocketShowsItsLocalAddress() {
    Event e =
        Event.newBuilder()
            .setConnection(
                NetworkConnection.newBuilder()
                    .setDirection(NetworkConnection.Direction.DIRECTION_LISTEN)
                    .setTransport(Transport.TRANSPORT_UDP)
                    .setDestinationIp("::")
                    .setDestinationPort(53)
                    .setProcess(ProcessRef.newBuilder().setPid(3).setImage("/usr/sbin/named")))
            .build();
    String line = EventLine.format("h", e);
    assertTrue(line.endsWith("connection listen udp :::53 pid=3 /usr/sbin/named"), line);
  }

  private static String after(String kind, String line) {
    return line.substring(line.indexOf(kind + " ") + kind.length() + 1);
  }

  @Test
  void fileEventsShowActionPathsCountHashesAndProcess() {
    Event rename =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_RENAME)
                    .setOldPath("/tmp/x.part")
                    .setPath("/usr/local/bin/x")
                    .setSha256("0123456789abcdef".repeat(4))
                    .setMd5("fedcba9876543210".repeat(2))
                    .setProcess(ProcessRef.newBuilder().setPid(77).setImage("/usr/bin/mv")))
            .build();
    assertEquals(
        "rename /tmp/x.part → /usr/local/bin/x md5=fedcba987654… sha256=0123456789ab…"
            + " by /usr/bin/mv pid=77",
        after("file", EventLine.format("h", rename)));

    Event appended =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_MODIFY)
                    .setPath("/var/log/app.log")
                    .setCount(10_000)
                    .setSource("inotify"))
            .build();
    assertEquals(
        "modify /var/log/app.log count=10000 (inotify)",
        after("file", EventLine.format("h", appended)));
  }

  @Test
  void integrityMismatchShowsWhatChanged() {
    Event e =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_INTEGRITY_MISMATCH)
                    .setPath("/usr/bin/ls")
                    .setSource("fim")
                    .addChanged("content")
                    .addChanged("mtime")
                    .setSha256("ab".repeat(32))
                    .setBefore(FileState.newBuilder().setExists(true))
                    .setAfter(FileState.newBuilder().setExists(true)))
            .build();
    assertEquals(
        "integrity_mismatch /usr/bin/ls changed=content,mtime sha256=abababababab… (fim)",
        after("file", EventLine.format("h", e)));
  }

  @Test
  void baselinePartsAndScansSayWhatTheyAre() {
    Event part =
        Event.newBuilder()
            .setFimBaseline(
                FimBaseline.newBuilder()
                    .setBaselineId("9f1c")
                    .setReason("created")
                    .setPart(2)
                    .setParts(5)
                    .addEntries(FimEntry.newBuilder().setPath("/etc/passwd"))
                    .setDigest("cd".repeat(32)))
            .build();
    assertEquals(
        "9f1c part 2/5 (created) entries=1", after("fim_baseline", EventLine.format("h", part)));
    Event scan =
        Event.newBuilder()
            .setFimScan(
                FimScan.newBuilder()
                    .setBaselineId("9f1c")
                    .setTrigger("scheduled")
                    .setFiles(1200)
                    .setChanges(2)
                    .setDigest("abcd".repeat(16)))
            .build();
    assertEquals(
        "scheduled files=1200 changes=2 digest=abcdabcdabcd…",
        after("fim_scan", EventLine.format("h", scan)));
  }

  @Test
  void terminalEscapesInPathsIdsAndHashesAreNeutralised() {
    String esc = "\u001b]0;owned\u0007\u001b[2J";
    Event file =
        Event.newBuilder()
            .setFile(
                FileEvent.newBuilder()
                    .setAction(FileEvent.Action.ACTION_RENAME)
                    .setOldPath("/tmp/" + esc)
                    .setPath("/etc/" + esc + "\n")
                    .addChanged(esc)
                    .setSha256(esc)
                    .setProcess(ProcessRef.newBuilder().setPid(1).setImage(esc)))
            .build();
    Event part =
        Event.newBuilder()
            .setFimBaseline(
                FimBaseline.newBuilder().setBaselineId(esc).setReason(esc).setPart(1).setParts(1))
            .build();
    Event scan =
        Event.newBuilder()
            .setFimScan(FimScan.newBuilder().setTrigger(esc).setDigest(esc + esc))
            .build();
    for (Event e : new Event[] {file, part, scan}) {
      String line = EventLine.format("h", e);
      assertFalse(line.contains("\u001b"), line);
      assertFalse(line.contains("\u0007"), line);
      assertFalse(line.contains("\n"), line);
      assertTrue(line.contains("\\x1b"), line);
    }
  }
}
