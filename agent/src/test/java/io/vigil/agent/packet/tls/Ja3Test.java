package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.alpn;
import static io.vigil.agent.packet.tls.TlsWire.clientHello;
import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.ext;
import static io.vigil.agent.packet.tls.TlsWire.groups;
import static io.vigil.agent.packet.tls.TlsWire.pointFormats;
import static io.vigil.agent.packet.tls.TlsWire.serverHello;
import static io.vigil.agent.packet.tls.TlsWire.sni;
import static io.vigil.agent.packet.tls.TlsWire.u16;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Ja3Test {
  /**
   * The first ClientHello of suricata-verify's tls-duplicate-hello.pcap, rebuilt from the JA3
   * string tshark 4.0 printed for it; tshark's JA3 of it is 43202faa1c8c1760d6f7f4bd9adde4ab.
   */
  @Test
  void matchesWiresharksJa3OfARealHello() throws Exception {
    int[] ciphers = {
      4866, 4867, 4865, 4868, 49196, 52393, 49325, 49162, 49195, 49324, 49161, 49200, 52392, 49172,
      49199, 49171, 157, 49309, 53, 156, 49308, 47, 159, 52394, 49311, 57, 158, 49310, 51
    };
    List<byte[]> ext = new ArrayList<>();
    for (int type : new int[] {5, 10, 11, 13, 22, 23, 35, 51, 43, 65281, 0, 45}) {
      ext.add(
          switch (type) {
            case 10 -> groups(23);
            case 11 -> pointFormats(0);
            case 0 -> sni("localhost");
            case 13 -> TlsWire.signatureAlgorithms(0x0403);
            case 43 -> TlsWire.clientVersions(0x0304, 0x0303);
            default -> ext(type, new byte[0]);
          });
    }
    Ja3 ja3 = Ja3.of(ClientHello.parse(clientHello(771, ciphers, ext.toArray(new byte[0][]))));
    assertEquals(
        "771,4866-4867-4865-4868-49196-52393-49325-49162-49195-49324-49161-49200-52392-49172-"
            + "49199-49171-157-49309-53-156-49308-47-159-52394-49311-57-158-49310-51,"
            + "5-10-11-13-22-23-35-51-43-65281-0-45,23,0",
        ja3.text());
    assertEquals("43202faa1c8c1760d6f7f4bd9adde4ab", ja3.md5());
  }

  @Test
  void greaseIsLeftOutEverywhere() throws Exception {
    ClientHello plain =
        ClientHello.parse(
            clientHello(0x0303, new int[] {0x1301}, sni("a"), groups(29), pointFormats(0)));
    ClientHello greased =
        ClientHello.parse(
            clientHello(
                0x0303,
                new int[] {0xdada, 0x1301},
                ext(0x3a3a, new byte[0]),
                sni("a"),
                groups(0xbaba, 29),
                pointFormats(0),
                ext(0xfafa, u8(0))));
    assertEquals("771,4865,0-10-11,29,0", Ja3.of(plain).text());
    assertEquals(Ja3.of(plain), Ja3.of(greased));
  }

  @Test
  void absentListsAreEmptyFields() throws Exception {
    ClientHello old = ClientHello.parse(clientHello(0x0301, new int[] {4, 5}, (byte[][]) null));
    assertEquals("769,4-5,,,", Ja3.of(old).text());
    ClientHello noCurves = ClientHello.parse(clientHello(0x0303, new int[] {47}, alpn("h2")));
    assertEquals("771,47,16,,", Ja3.of(noCurves).text());
  }

  /** suricata-verify's sslv2-tls-upgrade-01: tshark's JA3S "769,57," is 9a2c6bfd...3ece3a. */
  @Test
  void ja3sOfAServerHelloWithoutExtensions() throws Exception {
    byte[] body = concat(u16(0x0301), new byte[32], u8(0), u16(57), u8(0));
    Ja3s ja3s = Ja3s.of(ServerHello.parse(body));
    assertEquals("769,57,", ja3s.text());
    assertEquals("9a2c6bfd476184689a786457f33ece3a", ja3s.md5());
  }

  /**
   * suricata-verify's tls-duplicate-hello: "771,4865,43-51" is f4febc55ea12b31ae17cfb7e614afda8.
   */
  @Test
  void ja3sUsesTheLegacyVersionAndExtensionOrder() throws Exception {
    ServerHello h =
        ServerHello.parse(
            serverHello(0x0303, new byte[32], 4865, ext(43, u16(0x0304)), ext(51, new byte[36])));
    assertEquals("771,4865,43-51", Ja3s.of(h).text());
    assertEquals("f4febc55ea12b31ae17cfb7e614afda8", Ja3s.of(h).md5());
  }
}
