package io.vigil.agent.packet.flow;

import static io.vigil.agent.packet.flow.Packets.addr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Community ID v1 against published values: the spec's baseline (corelight/community-id-spec
 * baseline/baseline_deflt.json, flows from its pcaps) and the seed 0/1 examples Zeek's own test
 * pins (1.2.3.4:1122 to 5.6.7.8:3344).
 */
class CommunityIdTest {
  private final CommunityId seed0 = new CommunityId(0);
  private final CommunityId seed1 = new CommunityId(1);

  private String id(CommunityId c, String src, String dst, int proto, int sport, int dport) {
    byte[] s = addr(src);
    return c.of(s.length, s, addr(dst), proto, sport, dport);
  }

  @Test
  void tcpIpv4BaselineInBothDirections() {
    String want = "1:LQU9qZlK+B5F3KDmev6m5PMibrg=";
    assertEquals(want, id(seed0, "128.232.110.120", "66.35.250.204", 6, 34855, 80));
    assertEquals(want, id(seed0, "66.35.250.204", "128.232.110.120", 6, 80, 34855));
    assertEquals("1:wCb3OG7yAFWelaUydu0D+125CLM=", id(seed0, "1.2.3.4", "5.6.7.8", 6, 1122, 3344));
  }

  @Test
  void tcpIpv6BaselineInBothDirections() {
    String want = "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=";
    String client = "2001:470:e5bf:dead:4957:2174:e82c:4887";
    String server = "2607:f8b0:400c:c03::1a";
    assertEquals(want, id(seed0, client, server, 6, 63943, 25));
    assertEquals(want, id(seed0, server, client, 6, 25, 63943));
  }

  @Test
  void udpBaselineInBothDirections() {
    String want = "1:d/FP5EW3wiY1vCndhwleRRKHowQ=";
    assertEquals(want, id(seed0, "192.168.1.52", "8.8.8.8", 17, 54585, 53));
    assertEquals(want, id(seed0, "8.8.8.8", "192.168.1.52", 17, 53, 54585));
    assertEquals("1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=", id(seed0, "1.2.3.4", "5.6.7.8", 17, 1122, 3344));
  }

  @Test
  void sctpBaselineWithEqualPorts() {
    String want = "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=";
    assertEquals(want, id(seed0, "192.168.170.8", "192.168.170.56", 132, 7, 7));
    assertEquals(want, id(seed0, "192.168.170.56", "192.168.170.8", 132, 7, 7));
  }

  @Test
  void icmpEchoPairsAndOneWayTypes() {
    String echo = "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=";
    assertEquals(echo, id(seed0, "192.168.0.89", "192.168.0.1", 1, 8, 0));
    assertEquals(echo, id(seed0, "192.168.0.1", "192.168.0.89", 1, 0, 0));
    // Time exceeded (11) is one-way: type and code, endpoints as given.
    assertEquals("1:YHxtAirCG//0OzkcVAukqKQN9xM=", id(seed0, "10.0.0.1", "10.0.0.2", 1, 11, 0));
    assertEquals("1:crodRHL2FEsHjbv3UkRrfbs4bZ0=", id(seed0, "1.2.3.4", "5.6.7.8", 1, 8, 0));
  }

  @Test
  void icmpv6PairsAndOneWayTypes() {
    String a = "fe80::200:86ff:fe05:80da";
    String b = "fe80::260:97ff:fe07:69ea";
    // Neighbour solicitation from a, advertisement back: one ID; the reverse exchange another.
    assertEquals("1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", id(seed0, a, b, 58, 135, 0));
    assertEquals("1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", id(seed0, b, a, 58, 136, 0));
    assertEquals("1:zavyT/cezQr1fmImYCwYnMXbgck=", id(seed0, b, a, 58, 135, 0));
    assertEquals("1:zavyT/cezQr1fmImYCwYnMXbgck=", id(seed0, a, b, 58, 136, 0));
    String echo = "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=";
    assertEquals(
        echo, id(seed0, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 58, 128, 0));
    assertEquals(
        echo, id(seed0, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 58, 129, 0));
    assertEquals("1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", id(seed0, a, "ff02::2", 58, 133, 0));
    assertEquals("1:pkvHqCL88/tg1k4cPigmZXUtL00=", id(seed0, b, "ff02::1", 58, 134, 0));
    // One-way: time exceeded (3/0), destination unreachable (1/4).
    assertEquals(
        "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=",
        id(seed0, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 58, 3, 0));
    assertEquals(
        "1:hLZd0XGWojozrvxqE0dWB1iM6R0=",
        id(seed0, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 58, 1, 4));
    assertEquals(
        "1:0bf7hyMJUwt3fMED7z8LIfRpBeo=",
        id(
            seed0,
            "fe80:1:203:405:607:809:a0b:c0d",
            "fe80:1011:1213:1415:1617:1819:1a1b:1c1d",
            58,
            128,
            0));
  }

  @Test
  void oneWayIcmpIsNotReordered() {
    String lo = "fe80:1:203:405:607:809:a0b:c0d";
    String hi = "fe80:1011:1213:1415:1617:1819:1a1b:1c1d";
    assertEquals("1:EvBBWYT0zEU0Gg9GDmH7rd7Mxk0=", id(seed0, lo, hi, 58, 155, 0));
    assertNotEquals(id(seed0, lo, hi, 58, 155, 0), id(seed0, hi, lo, 58, 155, 0));
  }

  @Test
  void protocolsWithoutPortsHashAddressesOnly() {
    String want = "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=";
    assertEquals(want, id(seed0, "10.1.12.1", "10.1.12.2", 46, 0, 0));
    assertEquals(want, id(seed0, "10.1.12.2", "10.1.12.1", 46, 7, 9));
  }

  @Test
  void theSeedChangesEveryId() {
    String v6a = "fe80:1:203:405:607:809:a0b:c0d";
    String v6b = "fe80:1011:1213:1415:1617:1819:1a1b:1c1d";
    assertEquals("1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=", id(seed1, "1.2.3.4", "5.6.7.8", 6, 1122, 3344));
    assertEquals("1:OShq+iKDAMVouh/4bMxB9Sz4amw=", id(seed1, "1.2.3.4", "5.6.7.8", 17, 1122, 3344));
    assertEquals("1:9pr4ZGTICiuZoIh90RRYE2RyXpU=", id(seed1, "1.2.3.4", "5.6.7.8", 1, 8, 0));
    assertEquals("1:IO27GQzPuCtNnwFvjWALMHu5tJE=", id(seed1, v6a, v6b, 58, 128, 0));
  }

  @Test
  void sameAddressOrdersByPort() {
    assertEquals(
        id(seed0, "1.2.3.4", "1.2.3.4", 6, 80, 1000), id(seed0, "1.2.3.4", "1.2.3.4", 6, 1000, 80));
  }

  @Test
  void rejectsBadSeedsAndAddressLengths() {
    assertThrows(IllegalArgumentException.class, () -> new CommunityId(65_536));
    assertThrows(IllegalArgumentException.class, () -> new CommunityId(-1));
    byte[] a = addr("1.2.3.4");
    assertThrows(IllegalArgumentException.class, () -> seed0.of(5, a, a, 6, 1, 2));
  }
}
