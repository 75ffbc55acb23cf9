package io.vigil.agent.sensor.network;

import static io.vigil.agent.sensor.network.DiagMessages.bytes;
import static io.vigil.agent.sensor.network.DiagMessages.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.IpText;
import io.vigil.proto.v1.Transport;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InetDiagParserTest {
  private final InetDiagParser parser = new InetDiagParser();

  @Test
  void ipv4EstablishedSocketHasBigEndianPortsAndHostOrderUidAndInode() {
    byte[] m =
        message(
            2, 1, bytes(10, 0, 0, 5), 51234, bytes(93, 184, 216, 34), 443, 1000, 0x12345678, 24);

    SocketEntry e = parser.parse(m, Transport.TRANSPORT_TCP).orElseThrow();

    assertEquals(
        new SocketEntry(
            2,
            Transport.TRANSPORT_TCP,
            1,
            "10.0.0.5",
            51234,
            "93.184.216.34",
            443,
            1000,
            0x12345678L),
        e);
    assertTrue(e.connection());
  }

  @Test
  void ipv6ListeningSocketIsShownInRfc5952Form() {
    byte[] any = new byte[16];
    byte[] local = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
    byte[] m = message(10, 10, local, 8443, any, 0, 0, 77, 0);

    SocketEntry e = parser.parse(m, Transport.TRANSPORT_TCP).orElseThrow();

    assertEquals("2001:db8::1", e.localIp());
    assertEquals("::", e.remoteIp());
    assertEquals(8443, e.localPort());
    assertTrue(e.listening());
  }

  @Test
  void v4MappedAddressesOfDualStackSocketsAreShownAsIpv4() {
    byte[] m =
        message(
            10,
            1,
            DiagMessages.v4Mapped(127, 0, 0, 1),
            40000,
            DiagMessages.v4Mapped(127, 0, 0, 1),
            8080,
            0,
            5,
            0);

    SocketEntry e = parser.parse(m, Transport.TRANSPORT_TCP).orElseThrow();

    assertEquals(10, e.family());
    assertEquals("127.0.0.1", e.localIp());
    assertEquals("127.0.0.1", e.remoteIp());
  }

  @Test
  void unixUnsupportedOrImpossibleMessagesAreRejectedAndCounted() {
    byte[] ok = message(2, 1, new byte[4], 1, new byte[4], 2, 0, 1, 0);
    byte[] shortOne = new byte[71];
    byte[] unix = message(1, 1, new byte[4], 1, new byte[4], 2, 0, 1, 0);
    byte[] stateZero = message(2, 0, new byte[4], 1, new byte[4], 2, 0, 1, 0);
    byte[] stateThirteen = message(2, 13, new byte[4], 1, new byte[4], 2, 0, 1, 0);

    assertTrue(parser.parse(ok, Transport.TRANSPORT_UDP).isPresent());
    for (byte[] bad : new byte[][] {shortOne, unix, stateZero, stateThirteen, null}) {
      assertEquals(Optional.empty(), parser.parse(bad, Transport.TRANSPORT_UDP));
    }
    assertEquals(5, parser.malformed());
  }

  @Test
  void randomBytesNeverThrowAndEveryRejectionIsCounted() {
    SplittableRandom random = new SplittableRandom(42);
    int rejected = 0;
    for (int i = 0; i < 100_000; i++) {
      byte[] m = new byte[random.nextInt(0, 160)];
      random.nextBytes(m);
      if (m.length > 1 && random.nextBoolean()) {
        m[0] = (byte) (random.nextBoolean() ? 2 : 10); // reach the address and port decoding
      }
      Optional<SocketEntry> e = parser.parse(m, Transport.TRANSPORT_TCP);
      if (e.isEmpty()) {
        rejected++;
      } else {
        SocketEntry s = e.get();
        assertTrue(s.localPort() >= 0 && s.localPort() <= 65535);
        assertTrue(s.state() >= 1 && s.state() <= 12);
        assertTrue(s.inode() >= 0 && s.uid() >= 0);
      }
    }
    assertEquals(rejected, parser.malformed());
    assertTrue(rejected < 100_000, "some random messages must get through to the decoding");
  }

  @Test
  void ipv6TextCompressesOnlyTheLongestRunOfTwoOrMoreZeroGroups() {
    assertEquals("::1", ip(0, 0, 0, 0, 0, 0, 0, 1));
    assertEquals("1:0:0:1::1", ip(1, 0, 0, 1, 0, 0, 0, 1));
    assertEquals("2001:db8:0:1:1:1:1:1", ip(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1));
    assertEquals("fe80::", ip(0xfe80, 0, 0, 0, 0, 0, 0, 0));
    assertEquals("1::1:0:0:1:0", ip(1, 0, 0, 1, 0, 0, 1, 0)); // equal runs: the first one
  }

  private static String ip(int... groups) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[2 * i] = (byte) (groups[i] >> 8);
      b[2 * i + 1] = (byte) groups[i];
    }
    return IpText.of(b, 0, 16);
  }
}
