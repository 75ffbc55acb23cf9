package io.vigil.agent.packet.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.Transport;
import org.junit.jupiter.api.Test;

/** Every {@code Flow} field the table knows, and the ones it leaves to later stages. */
class FlowRecordsTest {
  @Test
  void tcpRecordFillsEveryKnownField() {
    FlowRecord r =
        new FlowRecord(
            4,
            6,
            "10.0.0.1",
            40000,
            "10.0.0.2",
            443,
            7,
            -1,
            -1,
            1_000L,
            2_000L,
            5,
            4,
            500,
            4000,
            0x1B,
            0x1A,
            "SF",
            EndReason.FIN,
            "1:abc=");
    Flow f = FlowRecords.toProto(r, "eth0");
    assertEquals(Transport.TRANSPORT_TCP, f.getTransport());
    assertEquals(6, f.getIpProtocol());
    assertEquals("10.0.0.1", f.getSourceIp());
    assertEquals(40000, f.getSourcePort());
    assertEquals("10.0.0.2", f.getDestinationIp());
    assertEquals(443, f.getDestinationPort());
    assertEquals(1_000L, f.getStartTimeNs());
    assertEquals(2_000L, f.getEndTimeNs());
    assertEquals(5, f.getPacketsToServer());
    assertEquals(4, f.getPacketsToClient());
    assertEquals(500, f.getBytesToServer());
    assertEquals(4000, f.getBytesToClient());
    assertEquals("1:abc=", f.getCommunityId());
    assertEquals(0x1B, f.getTcpFlagsToServer());
    assertEquals(0x1A, f.getTcpFlagsToClient());
    assertEquals("SF", f.getState());
    assertEquals("fin", f.getEndReason());
    assertEquals("eth0", f.getInterface());
    assertEquals(7, f.getVlanId());
    assertEquals(0, f.getIcmpType());
    assertEquals("", f.getApplication());
    assertFalse(f.hasProcess());
    assertEquals("", f.getDestinationHostname());
  }

  @Test
  void icmpAndOtherProtocols() {
    FlowRecord icmp6 =
        new FlowRecord(
            6,
            58,
            "fe80::1",
            0,
            "fe80::2",
            0,
            0,
            128,
            0,
            1,
            2,
            1,
            1,
            104,
            104,
            0,
            0,
            "",
            EndReason.IDLE_TIMEOUT,
            "1:x=");
    Flow f = FlowRecords.toProto(icmp6, "capture.pcap");
    assertEquals(Transport.TRANSPORT_ICMP, f.getTransport());
    assertEquals(58, f.getIpProtocol());
    assertEquals(128, f.getIcmpType());
    assertEquals(0, f.getIcmpCode());
    assertEquals("idle_timeout", f.getEndReason());
    assertEquals("capture.pcap", f.getInterface());
    FlowRecord gre =
        new FlowRecord(
            4,
            47,
            "10.0.0.1",
            0,
            "10.0.0.2",
            0,
            0,
            -1,
            -1,
            1,
            2,
            1,
            0,
            100,
            0,
            0,
            0,
            "",
            EndReason.SHUTDOWN,
            "1:y=");
    Flow g = FlowRecords.toProto(gre, "eth0");
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, g.getTransport());
    assertEquals(47, g.getIpProtocol());
    assertEquals("shutdown", g.getEndReason());
    assertEquals(Transport.TRANSPORT_UDP, FlowRecords.transport(17));
  }
}
