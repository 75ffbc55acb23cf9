package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IpTextTest {
  @Test
  void formatsRfc5952() {
    assertEquals("10.0.0.255", IpText.format(new byte[] {10, 0, 0, (byte) 255}, 0, 4));
    assertEquals("2001:db8::1:0:0:1", IpText.canonical("2001:db8:0:0:1:0:0:1"));
    assertEquals("2001:0:0:1::1", IpText.canonical("2001:0:0:1:0:0:0:1"));
    assertEquals("2001:db8:0:1:1:1:1:1", IpText.canonical("2001:DB8:0:1:1:1:1:1"));
    assertEquals("::", IpText.canonical("0:0:0:0:0:0:0:0"));
    assertEquals("::1", IpText.canonical("0000:0000::0001"));
    assertEquals("1::", IpText.canonical("1:0:0:0:0:0:0:0"));
    assertEquals("fe80::a:b", IpText.canonical("FE80:0:0:0:0:0:a:B"));
    assertEquals("192.0.2.1", IpText.canonical("::ffff:c000:0201"));
    assertEquals("192.0.2.1", IpText.canonical("0:0:0:0:0:ffff:192.0.2.1"));
    assertEquals("64:ff9b::c000:201", IpText.canonical("64:ff9b::192.0.2.1"));
    assertNull(IpText.format(new byte[5], 0, 5));
  }

  @Test
  void parsesAndRejects() {
    assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 1, 2}, IpText.parse("192.168.1.2"));
    byte[] one = new byte[16];
    one[15] = 1;
    assertArrayEquals(one, IpText.parse("::1"));
    for (String bad :
        new String[] {
          "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1:2:3:4:5:6:7",
          "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:::2", "12345::", "g::", "::1.2.3",
          "1:2:3:4:5:6:7:1.2.3.4", "1:", "example.com", "fe80::1%eth0", "1.2.3.4 "
        }) {
      assertNull(IpText.parse(bad), bad);
    }
    assertNull(IpText.parse(null));
  }
}
