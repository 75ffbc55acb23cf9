package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.Transport;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionTrackerTest {
  private static SocketEntry conn(long inode, int localPort) {
    return new SocketEntry(
        2, Transport.TRANSPORT_TCP, 1, "10.0.0.1", localPort, "10.0.0.2", 443, 0, inode);
  }

  @Test
  void aSocketIsReportedOnceWhileItLives() {
    ConnectionTracker t = new ConnectionTracker(100, 1_000);
    SocketEntry a = conn(1, 40000);
    SocketEntry b = conn(2, 40001);

    assertEquals(List.of(a), t.unreported(List.of(a), true, 0));
    assertEquals(List.of(b), t.unreported(List.of(a, b), true, 1));
    assertEquals(List.of(), t.unreported(List.of(a, b), true, 2));
  }

  @Test
  void aSocketThatClosedIsForgottenAfterACompleteSnapshotOnly() {
    ConnectionTracker t = new ConnectionTracker(100, 1_000);
    SocketEntry a = conn(1, 40000);
    t.unreported(List.of(a), true, 0);

    assertEquals(List.of(), t.unreported(List.of(), false, 1)); // failed dump: keep it
    assertEquals(List.of(), t.unreported(List.of(a), true, 2));
    t.unreported(List.of(), true, 3); // closed
    assertEquals(List.of(a), t.unreported(List.of(a), true, 4)); // a new socket, same key
  }

  @Test
  void aSocketAuditAlreadyReportedIsNotReportedByTheSnapshot() {
    ConnectionTracker t = new ConnectionTracker(100, 1_000);
    t.reportedByAudit(1, 0);

    assertEquals(List.of(), t.unreported(List.of(conn(1, 40000)), true, 10));
    assertEquals(List.of(), t.unreported(List.of(conn(1, 40000)), true, 20));
  }

  @Test
  void anAuditedInodeNoSnapshotSawExpires() {
    ConnectionTracker t = new ConnectionTracker(100, 1_000);
    t.reportedByAudit(1, 0);
    t.unreported(List.of(), true, 5_000);

    assertEquals(0, t.size());
  }

  @Test
  void aFullTrackerStillReportsButCountsWhatItCannotRemember() {
    ConnectionTracker t = new ConnectionTracker(2, 1_000);
    List<SocketEntry> three = List.of(conn(1, 1), conn(2, 2), conn(3, 3));

    assertEquals(three, t.unreported(three, true, 0));
    assertEquals(List.of(conn(3, 3)), t.unreported(three, true, 1));
    assertEquals(2, t.untracked());
  }
}
