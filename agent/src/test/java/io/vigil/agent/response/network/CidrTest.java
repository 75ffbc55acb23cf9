package io.vigil.agent.response.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
  @Test
  void clearsHostBitsAndPrintsLikeNft() throws Exception {
    assertEquals("10.0.0.0/8", Cidr.parse("10.1.2.3/8").toString());
    assertEquals("192.0.2.7", Cidr.parse(" 192.0.2.7 ").toString());
    assertEquals("2001:db8::/32", Cidr.parse("2001:db8:ffff::1/32").toString());
    assertEquals("2001:db8::1", Cidr.parse("2001:0db8:0:0:0:0:0:1").toString());
    assertEquals("::1", Cidr.parse("::1").toString());
    assertEquals("fe80::1:0:0:1", AddressText.of(InetAddress.getByName("fe80:0:0:0:1:0:0:1")));
    assertEquals("1:0:2::", AddressText.of(InetAddress.getByName("1:0:2:0:0:0:0:0")));
    assertEquals(Cidr.parse("10.1.2.3/8"), Cidr.parse("10.0.0.0/8"));
  }

  @Test
  void containsAndOverlaps() throws Exception {
    Cidr net = Cidr.parse("10.9.0.0/16");
    assertTrue(net.contains(InetAddress.getByName("10.9.200.1")));
    assertFalse(net.contains(InetAddress.getByName("10.10.0.1")));
    assertFalse(net.contains(InetAddress.getByName("::1")));
    assertTrue(net.overlaps(Cidr.parse("10.0.0.0/8")));
    assertTrue(net.overlaps(Cidr.parse("10.9.3.4")));
    assertFalse(net.overlaps(Cidr.parse("10.10.0.0/16")));
    assertTrue(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("127.0.0.1")));
    assertFalse(Cidr.parse("::/0").overlaps(Cidr.parse("127.0.0.1")));
  }

  @Test
  void refusesNamesAndBadPrefixes() {
    for (String bad :
        new String[] {
          "", "example.com", "10.0.0.1/33", "::1/129", "10.0.0.1/", "10.0.0.1/-1", "1"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad.trim()), e.getMessage());
    }
  }
}
