package io.vigil.agent.packet.flow;

import static io.vigil.agent.packet.flow.Packets.ACK;
import static io.vigil.agent.packet.flow.Packets.FIN;
import static io.vigil.agent.packet.flow.Packets.PSH;
import static io.vigil.agent.packet.flow.Packets.RST;
import static io.vigil.agent.packet.flow.Packets.SYN;
import static io.vigil.agent.packet.flow.Packets.sec;
import static io.vigil.agent.packet.flow.Packets.tcp;
import static io.vigil.agent.packet.flow.Packets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.Malformed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Direction, counting, timeouts, eviction and keys of the flow table. */
class FlowTableTest {
  private static final String C = "10.0.0.1";
  private static final String S = "10.0.0.2";

  private final List<FlowRecord> out = new ArrayList<>();

  @Test
  void countsPacketsAndIpBytesPerDirectionAndEndsAfterTheClosedLinger() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(tcp(sec(1.00), C, 40000, S, 80, SYN, 60), out::add);
    table.add(tcp(sec(1.01), S, 80, C, 40000, SYN | ACK, 60), out::add);
    table.add(tcp(sec(1.02), C, 40000, S, 80, ACK, 52), out::add);
    table.add(tcp(sec(1.03), C, 40000, S, 80, PSH | ACK, 152), out::add);
    table.add(tcp(sec(1.04), S, 80, C, 40000, PSH | ACK, 1052), out::add);
    table.add(tcp(sec(1.05), C, 40000, S, 80, FIN | ACK, 52), out::add);
    table.add(tcp(sec(1.06), S, 80, C, 40000, FIN | ACK, 52), out::add);
    table.add(tcp(sec(1.07), C, 40000, S, 80, ACK, 52), out::add);
    table.advance(sec(6.06), out::add);
    assertTrue(out.isEmpty(), "still lingering 4.99 s after the last packet");
    table.advance(sec(6.07), out::add);
    assertEquals(1, out.size());
    FlowRecord r = out.get(0);
    assertEquals(C, r.clientIp());
    assertEquals(40000, r.clientPort());
    assertEquals(S, r.serverIp());
    assertEquals(80, r.serverPort());
    assertEquals(5, r.packetsToServer());
    assertEquals(3, r.packetsToClient());
    assertEquals(60 + 52 + 152 + 52 + 52, r.bytesToServer());
    assertEquals(60 + 1052 + 52, r.bytesToClient());
    assertEquals(sec(1.00), r.startNs());
    assertEquals(sec(1.07), r.endNs());
    assertEquals("SF", r.state());
    assertEquals(EndReason.FIN, r.endReason());
    assertEquals(6, r.protocol());
    assertEquals(4, r.ipVersion());
    assertEquals(-1, r.icmpType());
    FlowStats st = table.stats();
    assertEquals(0, st.open());
    assertEquals(1, st.created());
    assertEquals(1, st.ended(EndReason.FIN));
    assertEquals(8, st.packets());
  }

  @Test
  void theClientIsTheSynSenderOrTheSynAckReceiverOrTheFirstSender() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    // SYN-ACK first: its receiver opened the connection.
    table.add(tcp(sec(1), S, 443, C, 50000, SYN | ACK, 60), out::add);
    // Mid-stream: the first packet's sender, even from the well-known port.
    table.add(tcp(sec(1), S, 22, C, 50001, PSH | ACK, 100), out::add);
    // UDP: the first packet's sender.
    table.add(udp(sec(1), C, 5353, S, 53000, 80), out::add);
    // The server's port is lower than the client's, and the server's address higher: the
    // normalised key order must not decide direction.
    table.add(tcp(sec(1), "10.0.0.9", 1025, "10.0.0.3", 65000, SYN, 60), out::add);
    table.flush(out::add);
    FlowRecord synAck = find(443);
    assertEquals(C, synAck.clientIp());
    assertEquals(50000, synAck.clientPort());
    assertEquals(1, synAck.packetsToClient());
    assertEquals(0, synAck.packetsToServer());
    FlowRecord mid = find(50001);
    assertEquals(S, mid.clientIp());
    assertEquals(22, mid.clientPort());
    assertEquals("OTH", mid.state());
    FlowRecord u = find(53000);
    assertEquals(C, u.clientIp());
    assertEquals(5353, u.clientPort());
    assertEquals("", u.state());
    assertEquals(0, u.tcpFlagsToServer());
    FlowRecord syn = find(65000);
    assertEquals("10.0.0.9", syn.clientIp());
    assertEquals(1025, syn.clientPort());
  }

  @Test
  void idleTimeoutsPerProtocol() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(tcp(0, C, 40000, S, 80, SYN, 60), out::add);
    table.add(udp(0, C, 40000, S, 53, 60), out::add);
    table.add(Packets.icmp(0, C, S, 8, 0, 84), out::add);
    table.advance(sec(29.9), out::add);
    assertTrue(out.isEmpty());
    table.advance(sec(30), out::add);
    assertEquals(List.of(1), protocols());
    table.advance(sec(59.9), out::add);
    assertEquals(List.of(1), protocols());
    table.advance(sec(60), out::add);
    assertEquals(List.of(1, 17), protocols());
    table.advance(sec(299.9), out::add);
    assertEquals(List.of(1, 17), protocols());
    table.advance(sec(300), out::add);
    assertEquals(List.of(1, 17, 6), protocols());
    assertTrue(out.stream().allMatch(r -> r.endReason() == EndReason.IDLE_TIMEOUT));
    assertEquals("S0", out.get(2).state());
    assertEquals(3, table.stats().endedIdle());
    assertEquals(0, table.stats().open());
  }

  @Test
  void packetTimeAloneEndsIdleFlows() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(udp(0, C, 40000, S, 53, 60), out::add);
    table.add(udp(sec(61), C, 40001, S, 53, 60), out::add);
    assertEquals(1, out.size(), "the second packet's time ended the first flow");
    assertEquals(40000, out.get(0).clientPort());
  }

  @Test
  void aPacketOfAnIdleFlowAfterItsTimeoutStartsANewFlow() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(udp(0, C, 40000, S, 53, 60), out::add);
    table.add(udp(sec(60), S, 53, C, 40000, 60), out::add);
    assertEquals(1, out.size());
    table.flush(out::add);
    assertEquals(2, out.size());
    assertEquals(S, out.get(1).clientIp(), "the new flow's first sender is its client");
  }

  @Test
  void closedFlowsCountLatePacketsAndANewSynStartsANewFlow() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(tcp(sec(1), C, 40000, S, 80, SYN, 60), out::add);
    table.add(tcp(sec(1.1), S, 80, C, 40000, RST | ACK, 40), out::add);
    table.add(tcp(sec(2), S, 80, C, 40000, RST | ACK, 40), out::add); // late, counted
    assertTrue(out.isEmpty());
    table.add(tcp(sec(3), C, 40000, S, 80, SYN, 60), out::add); // port reuse
    assertEquals(1, out.size());
    FlowRecord first = out.get(0);
    assertEquals(EndReason.RST, first.endReason());
    assertEquals("REJ", first.state());
    assertEquals(2, first.packetsToClient());
    table.flush(out::add);
    assertEquals(2, out.size());
    assertEquals("S0", out.get(1).state());
    assertEquals(sec(3), out.get(1).startNs());
    assertEquals(2, table.stats().created());
  }

  @Test
  void aLongFlowIsReportedInPartsWithCountersPerPart() {
    FlowTable table =
        new FlowTable(FlowOptions.defaults().withActiveTimeout(Duration.ofSeconds(10)));
    for (int i = 0; i < 25; i++) {
      table.add(udp(sec(i), C, 40000, S, 514, 100 + i), out::add);
      table.add(udp(sec(i + 0.5), S, 514, C, 40000, 50), out::add);
    }
    assertEquals(2, out.size());
    table.flush(out::add);
    assertEquals(3, out.size());
    long[] starts = {sec(0), sec(10), sec(20)};
    long[] ends = {sec(9.5), sec(19.5), sec(24.5)};
    long[] packets = {10, 10, 5};
    for (int p = 0; p < 3; p++) {
      FlowRecord r = out.get(p);
      assertEquals(starts[p], r.startNs(), "part " + p);
      assertEquals(ends[p], r.endNs(), "part " + p);
      assertEquals(packets[p], r.packetsToServer(), "part " + p);
      assertEquals(packets[p], r.packetsToClient(), "part " + p);
      long bytes = 0;
      for (int i = (int) (starts[p] / sec(1)); i < starts[p] / sec(1) + packets[p]; i++) {
        bytes += 100 + i;
      }
      assertEquals(bytes, r.bytesToServer(), "part " + p);
      assertEquals(50 * packets[p], r.bytesToClient(), "part " + p);
      assertEquals(C, r.clientIp());
      assertEquals(out.get(0).communityId(), r.communityId());
    }
    assertEquals(EndReason.ACTIVE_TIMEOUT, out.get(0).endReason());
    assertEquals(EndReason.ACTIVE_TIMEOUT, out.get(1).endReason());
    assertEquals(EndReason.SHUTDOWN, out.get(2).endReason());
    assertEquals(2, table.stats().endedActive());
    assertEquals(1, table.stats().created());
  }

  @Test
  void tcpPartsKeepTheConnectionStateAndRestartTheFlags() {
    FlowTable table =
        new FlowTable(FlowOptions.defaults().withActiveTimeout(Duration.ofSeconds(10)));
    table.add(tcp(sec(0), C, 40000, S, 80, SYN, 60), out::add);
    table.add(tcp(sec(0.1), S, 80, C, 40000, SYN | ACK, 60), out::add);
    table.add(tcp(sec(12), C, 40000, S, 80, PSH | ACK, 60), out::add);
    table.add(tcp(sec(13), C, 40000, S, 80, FIN | ACK, 60), out::add);
    table.add(tcp(sec(13.1), S, 80, C, 40000, FIN | ACK, 60), out::add);
    table.flush(out::add);
    assertEquals(2, out.size());
    assertEquals("S1", out.get(0).state());
    assertEquals(SYN, out.get(0).tcpFlagsToServer());
    assertEquals("SF", out.get(1).state());
    assertEquals(PSH | ACK | FIN, out.get(1).tcpFlagsToServer());
    assertEquals(EndReason.FIN, out.get(1).endReason(), "closed, lingering at flush");
  }

  @Test
  void aFullTableEvictsTheFlowIdleTheLongest() {
    FlowTable table = new FlowTable(FlowOptions.defaults().withMaxFlows(3));
    table.add(tcp(sec(0), C, 1000, S, 80, SYN, 60), out::add);
    table.add(udp(sec(1), C, 1001, S, 53, 60), out::add);
    table.add(Packets.icmp(sec(2), C, S, 8, 0, 84), out::add);
    table.add(tcp(sec(2.5), S, 80, C, 1000, SYN | ACK, 60), out::add); // TCP is fresh again
    table.add(udp(sec(3), C, 1002, S, 53, 60), out::add);
    assertEquals(1, out.size());
    assertEquals(EndReason.EVICTED, out.get(0).endReason());
    assertEquals(1001, out.get(0).clientPort());
    table.add(udp(sec(4), C, 1003, S, 53, 60), out::add);
    assertEquals(2, out.size());
    assertEquals(1, out.get(1).protocol(), "then the ICMP flow, last seen at 2 s");
    FlowStats st = table.stats();
    assertEquals(2, st.evicted());
    assertEquals(3, st.open());
    assertEquals(5, st.created());
  }

  @Test
  void vlansSeparateFlowsWithTheSameTuple() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(Packets.vlan(udp(0, C, 40000, S, 53, 60), 10), out::add);
    table.add(Packets.vlan(udp(1, S, 53, C, 40000, 70), 20), out::add);
    table.add(Packets.vlan(udp(2, S, 53, C, 40000, 80), 10), out::add);
    table.flush(out::add);
    assertEquals(2, out.size());
    FlowRecord v10 = out.stream().filter(r -> r.vlanId() == 10).findFirst().orElseThrow();
    FlowRecord v20 = out.stream().filter(r -> r.vlanId() == 20).findFirst().orElseThrow();
    assertEquals(1, v10.packetsToServer());
    assertEquals(1, v10.packetsToClient());
    assertEquals(S, v20.clientIp());
    assertEquals(v10.communityId(), v20.communityId(), "the Community ID has no VLAN");
  }

  @Test
  void ipv6FlowsFormatAddressesAndHashLikeTheBaseline() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    String client = "2001:470:e5bf:dead:4957:2174:e82c:4887";
    String server = "2607:f8b0:400c:c03:0:0:0:1a";
    table.add(tcp(sec(1), client, 63943, server, 25, SYN, 80), out::add);
    table.add(tcp(sec(1.1), server, 25, client, 63943, SYN | ACK, 80), out::add);
    table.flush(out::add);
    FlowRecord r = out.get(0);
    assertEquals(6, r.ipVersion());
    assertEquals(client, r.clientIp());
    assertEquals("2607:f8b0:400c:c03::1a", r.serverIp());
    assertEquals("1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", r.communityId());
    assertEquals("S1", r.state());
  }

  @Test
  void icmpRequestAndReplyShareAFlowAndOneWayTypesDoNot() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    table.add(Packets.icmp(sec(1), "192.168.0.89", "192.168.0.1", 8, 0, 84), out::add);
    table.add(Packets.icmp(sec(1.1), "192.168.0.1", "192.168.0.89", 0, 0, 84), out::add);
    table.add(Packets.icmp(sec(2), "192.168.0.1", "192.168.0.89", 3, 3, 56), out::add);
    table.add(Packets.icmp(sec(3), "fe80::1", "fe80::2", 128, 0, 104), out::add);
    table.add(Packets.icmp(sec(3.1), "fe80::2", "fe80::1", 129, 0, 104), out::add);
    table.flush(out::add);
    assertEquals(3, out.size());
    FlowRecord echo = out.stream().filter(r -> r.icmpType() == 8).findFirst().orElseThrow();
    assertEquals("192.168.0.89", echo.clientIp());
    assertEquals(1, echo.packetsToServer());
    assertEquals(1, echo.packetsToClient());
    assertEquals(0, echo.clientPort());
    assertEquals(0, echo.serverPort());
    assertEquals("1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", echo.communityId());
    FlowRecord unreach = out.stream().filter(r -> r.icmpType() == 3).findFirst().orElseThrow();
    assertEquals(3, unreach.icmpCode());
    assertEquals("192.168.0.1", unreach.clientIp());
    FlowRecord v6 = out.stream().filter(r -> r.protocol() == 58).findFirst().orElseThrow();
    assertEquals(128, v6.icmpType());
    assertEquals(1, v6.packetsToClient());
  }

  @Test
  void nonIpFragmentsAndMalformedPacketsAreCountedNotFlows() {
    FlowTable table = new FlowTable(FlowOptions.defaults());
    DecodedPacket arp = new DecodedPacket();
    arp.reset();
    table.add(arp, out::add);
    DecodedPacket frag = Packets.ip(0, C, S, 17, 1500);
    frag.fragment = true;
    table.add(frag, out::add);
    DecodedPacket bad = tcp(0, C, 1, S, 2, SYN, 60);
    bad.malformed = Malformed.BAD_TCP_HEADER;
    table.add(bad, out::add);
    table.flush(out::add);
    assertTrue(out.isEmpty());
    FlowStats st = table.stats();
    assertEquals(1, st.ignoredNonIp());
    assertEquals(1, st.ignoredFragments());
    assertEquals(1, st.ignoredMalformed());
    assertEquals(0, st.created());
    assertEquals(0, st.packets());
  }

  @Test
  void theSeedIsConfigurable() {
    FlowTable seeded = new FlowTable(FlowOptions.defaults().withCommunityIdSeed(1));
    seeded.add(tcp(0, "1.2.3.4", 1122, "5.6.7.8", 3344, SYN, 60), out::add);
    seeded.flush(out::add);
    assertEquals("1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=", out.get(0).communityId());
  }

  @Test
  void everyPacketIsReportedOnceUnderChurn() {
    // Many tuples through a small table: evictions, idle ends, reuse of slots and hash chains.
    FlowTable table = new FlowTable(FlowOptions.defaults().withMaxFlows(64));
    Random rnd = new Random(42);
    long sent = 0;
    for (int i = 0; i < 50_000; i++) {
      int n = rnd.nextInt(500);
      String a = "10.1." + (n % 7) + "." + (n % 13);
      String b = "10.2.0." + (n % 5);
      boolean reverse = rnd.nextBoolean();
      long ts = sec(i * 0.01);
      DecodedPacket p = reverse ? udp(ts, b, 53, a, 1024 + n, 60) : udp(ts, a, 1024 + n, b, 53, 60);
      table.add(p, out::add);
      sent++;
    }
    table.flush(out::add);
    long counted = out.stream().mapToLong(r -> r.packetsToServer() + r.packetsToClient()).sum();
    assertEquals(sent, counted);
    FlowStats st = table.stats();
    assertEquals(0, st.open());
    assertEquals(st.created(), out.size());
    assertTrue(st.evicted() > 0);
    assertNotEquals(0, st.endedShutdown());
  }

  @Test
  void optionsAreValidated() {
    FlowOptions d = FlowOptions.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withMaxFlows(0));
    assertThrows(IllegalArgumentException.class, () -> d.withCommunityIdSeed(70_000));
    assertThrows(IllegalArgumentException.class, () -> d.withActiveTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> d.withActiveTimeout(Duration.ofDays(400)));
  }

  private FlowRecord find(int port) {
    return out.stream()
        .filter(r -> r.clientPort() == port || r.serverPort() == port)
        .findFirst()
        .orElseThrow();
  }

  private List<Integer> protocols() {
    return out.stream().map(FlowRecord::protocol).toList();
  }
}
