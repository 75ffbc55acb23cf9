package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.Event;
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
}
