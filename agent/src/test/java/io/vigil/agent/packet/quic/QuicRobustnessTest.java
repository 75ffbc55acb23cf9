package io.vigil.agent.packet.quic;

import static io.vigil.agent.packet.quic.Vectors.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile and damaged input never escapes {@link QuicClientHelloAssembler#offer} as an exception,
 * and never yields a ClientHello other than the one the client sent: every truncation and thousands
 * of random byte changes of real Initials, and correctly encrypted packets full of random frames
 * (which the AEAD would otherwise keep the frame parser from ever seeing).
 */
class QuicRobustnessTest {

  @Test
  void everyTruncationAndRandomDamageOfTheRfcInitialsIsHandled() {
    for (String f : List.of("rfc9001-a2-client-initial.hex", "rfc9369-a2-client-initial.hex")) {
      byte[] packet = resource(f);
      byte[] ch = clientHelloOf(List.of(packet));
      truncationsAndFlips(List.of(packet), ch, 3000);
    }
  }

  /** The Cloudflare connection's Initial (Chrome, CRYPTO in nine pieces with PING and PADDING). */
  @Test
  void everyTruncationAndRandomDamageOfARealChromeInitialIsHandled() throws Exception {
    realCapture("pcaps/ja4", "chrome-cloudflare-quic-with-secrets.pcapng");
  }

  /** Firefox's ClientHello over two Initial datagrams. */
  @Test
  void everyTruncationAndRandomDamageOfATwoDatagramClientHelloIsHandled() throws Exception {
    realCapture("pcaps/suricata-verify", "quic-frag.pcap");
  }

  private static void realCapture(String dir, String file) throws Exception {
    List<UdpDatagrams.Datagram> all = UdpDatagrams.read(TestData.require(dir).resolve(file));
    UdpDatagrams.Datagram first = all.get(0);
    List<byte[]> sent =
        UdpDatagrams.sent(all, first.src(), first.srcPort(), first.dst(), first.dstPort());
    byte[] ch = clientHelloOf(sent);
    // The datagrams up to the one that completed the ClientHello.
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    int n = 0;
    while (a.offer(sent.get(n), 0, sent.get(n).length)
        == QuicClientHelloAssembler.State.COLLECTING) {
      n++;
    }
    truncationsAndFlips(sent.subList(0, n + 1), ch, 1500);
  }

  /**
   * Each datagram in turn cut at every length, then changed at 1 to 4 random places, with the
   * others intact: the assembler ends with the original ClientHello or none.
   */
  private static void truncationsAndFlips(List<byte[]> datagrams, byte[] ch, int flips) {
    for (int d = 0; d < datagrams.size(); d++) {
      byte[] orig = datagrams.get(d);
      for (int len = 0; len <= orig.length; len++) {
        byte[][] damaged = datagrams.toArray(new byte[0][]);
        damaged[d] = Arrays.copyOf(orig, len);
        Optional<byte[]> got = offerAll(damaged);
        if (len == orig.length) {
          assertArrayEquals(ch, got.orElseThrow());
        } else {
          assertTrue(got.isEmpty() || Arrays.equals(ch, got.get()), "cut at " + len);
        }
      }
      Random rnd = new Random(31L * d + orig.length);
      for (int i = 0; i < flips; i++) {
        byte[][] damaged = datagrams.toArray(new byte[0][]);
        byte[] b = orig.clone();
        int changes = 1 + rnd.nextInt(4);
        for (int c = 0; c < changes; c++) {
          // Half the changes in the first 64 bytes, where the header is.
          int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(64, b.length)) : rnd.nextInt(b.length);
          b[at] ^= (byte) (1 + rnd.nextInt(255));
        }
        damaged[d] = b;
        Optional<byte[]> got = offerAll(damaged);
        assertTrue(got.isEmpty() || Arrays.equals(ch, got.get()), "flip round " + i);
      }
    }
  }

  /**
   * Packets that decrypt, holding random bytes or random sequences of frame-like pieces (frame type
   * bytes, varints of every length, short data): the frame parser must stop cleanly on each.
   */
  @Test
  void randomFramesInsideAuthenticPacketsNeverThrow() {
    Random rnd = new Random(42);
    byte[] dcid = Vectors.hex("0102030405060708");
    int completed = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] payload = i % 2 == 0 ? randomBytes(rnd, 1 + rnd.nextInt(1300)) : frameSoup(rnd);
      byte[] p = InitialSealer.seal(QuicVersion.V1, dcid, i, payload);
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      QuicClientHelloAssembler.State s = a.offer(p, 0, p.length);
      if (s == QuicClientHelloAssembler.State.COMPLETE) {
        completed++;
        byte[] ch = a.clientHello().orElseThrow();
        assertEquals(
            4 + (((ch[1] & 0xff) << 16) | ((ch[2] & 0xff) << 8) | (ch[3] & 0xff)), ch.length);
      }
      assertEquals(1, a.stats().decryptedPackets());
    }
    assertTrue(completed > 0, "some soups hold a whole tiny ClientHello: the sink was reached");
  }

  /** Random datagrams that start like a long header of a known version. */
  @Test
  void randomLongHeadersNeverThrow() {
    Random rnd = new Random(5);
    int[] versions = {1, 0x6b3343cf, 0xff00001d, 0, 0x1a2a3a4a};
    for (int i = 0; i < 20000; i++) {
      byte[] b = randomBytes(rnd, rnd.nextInt(80));
      if (b.length >= 5) {
        b[0] |= (byte) 0x80;
        int v = versions[rnd.nextInt(versions.length)];
        b[1] = (byte) (v >>> 24);
        b[2] = (byte) (v >>> 16);
        b[3] = (byte) (v >>> 8);
        b[4] = (byte) v;
      }
      if (b.length >= 6 && rnd.nextBoolean()) {
        b[5] = (byte) rnd.nextInt(24); // a plausible DCID length, so later fields are reached
      }
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      a.offer(b, 0, b.length);
      QuicInitialDecryptor.looksLikeQuicInitial(b, 0, b.length);
      assertTrue(a.clientHello().isEmpty());
    }
  }

  private static byte[] frameSoup(Random rnd) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int[] types = {0x00, 0x01, 0x02, 0x03, 0x06, 0x1c, 0x1d, 0x08, 0x40};
    while (out.size() < 1100) {
      out.write(types[rnd.nextInt(types.length)]);
      int fields = rnd.nextInt(6);
      for (int f = 0; f < fields; f++) {
        long v =
            switch (rnd.nextInt(4)) {
              case 0 -> rnd.nextInt(64);
              case 1 -> rnd.nextInt(16384);
              case 2 -> rnd.nextInt(1 << 30);
              default -> rnd.nextLong() >>> 2;
            };
        out.writeBytes(Frames.varint(v));
      }
      if (rnd.nextInt(4) == 0) {
        // A tiny ClientHello at offset 0 now and then.
        out.writeBytes(Frames.crypto(0, Frames.clientHello(4 + rnd.nextInt(8))));
      }
    }
    return out.toByteArray();
  }

  private static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private static byte[] clientHelloOf(List<byte[]> datagrams) {
    return offerAll(datagrams.toArray(new byte[0][])).orElseThrow();
  }

  private static Optional<byte[]> offerAll(byte[][] datagrams) {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    for (byte[] d : datagrams) {
      a.offer(d, 0, d.length);
      QuicInitialDecryptor.looksLikeQuicInitial(d, 0, d.length);
    }
    return a.clientHello();
  }
}
