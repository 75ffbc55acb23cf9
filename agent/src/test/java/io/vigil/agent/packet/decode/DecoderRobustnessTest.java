package io.vigil.agent.packet.decode;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.file.Corpus;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every packet of the corpus, mutated: cut at every length up to {@value #CUT_LIMIT} bytes (past
 * every header start plus 64 bytes for the deepest stacks in the corpus: Ethernet, VLAN, IPv4, GRE,
 * ERSPAN, Ethernet, IPv4, TCP is 108 bytes), with random bit flips (fixed seed), with each 16-bit
 * field of the first 128 bytes patched to 0 and to 0xffff, and decoded as every supported link
 * type. Decoding never throws, never hangs, and every result is self-consistent; the reasons are
 * counted and each reachable one must occur.
 */
class DecoderRobustnessTest {
  private static final int CUT_LIMIT = 384;

  /** Every supported link type, and 802.11 (105) which is not. */
  private static final int[] LINK_TYPES = {0, 1, 12, 14, 101, 104, 105, 108, 113, 228, 229, 276};

  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket out = new DecodedPacket();
  private final Map<Malformed, Long> reasons = new EnumMap<>(Malformed.class);
  private long decoded;

  @Test
  void mutatedCorpusPacketsNeverBreakTheDecoder() throws Exception {
    List<Corpus.Packet> packets = Corpus.packets();
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> run(packets));
    System.out.println("robustness: " + decoded + " decodes, reasons " + reasons);
    for (Malformed m :
        List.of(
            Malformed.TRUNCATED,
            Malformed.BAD_HEADER,
            Malformed.BAD_IP_VERSION,
            Malformed.UNSUPPORTED_LINK_TYPE,
            Malformed.BAD_FRAGMENT,
            Malformed.BAD_TCP_HEADER)) {
      assertTrue(reasons.getOrDefault(m, 0L) > 0, m + " never occurred: " + reasons);
    }
  }

  private void run(List<Corpus.Packet> packets) {
    Random random = new Random(6);
    for (Corpus.Packet p : packets) {
      byte[] d = p.data();
      int lt = p.linkType();
      for (int cut = 0; cut <= Math.min(d.length, CUT_LIMIT); cut++) {
        check(d, 0, cut, lt);
      }
      byte[] m = new byte[d.length];
      for (int i = 0; i < 16 && d.length > 0; i++) {
        System.arraycopy(d, 0, m, 0, d.length);
        int flips = 1 + random.nextInt(8);
        int span = Math.min(d.length, 160);
        for (int f = 0; f < flips; f++) {
          int bit = random.nextInt(span * 8);
          m[bit >> 3] ^= (byte) (1 << (bit & 7));
        }
        check(m, 0, m.length, lt);
      }
      for (int off = 0; off + 1 < Math.min(d.length, 128); off++) {
        for (int v : new int[] {0, 0xff}) {
          System.arraycopy(d, 0, m, 0, d.length);
          m[off] = (byte) v;
          m[off + 1] = (byte) v;
          check(m, 0, m.length, lt);
        }
      }
      for (int other : LINK_TYPES) {
        check(d, 0, d.length, other);
      }
    }
  }

  private void check(byte[] data, int off, int len, int linkType) {
    boolean ip;
    try {
      ip = decoder.decode(data, off, len, linkType, decoded * 1000, len, out);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "decode threw on link type "
              + linkType
              + ", "
              + len
              + " bytes: "
              + java.util.HexFormat.of().formatHex(data, off, off + Math.min(len, 200)),
          e);
    }
    decoded++;
    if (out.malformed != null) {
      reasons.merge(out.malformed, 1L, Long::sum);
    }
    boolean consistent =
        (!ip || (out.malformed == null && (out.ipVersion == 4 || out.ipVersion == 6)))
            && (out.payload == null
                || (out.payloadOffset >= 0
                    && out.payloadLength >= 0
                    && out.payloadOffset + out.payloadLength <= out.payload.length))
            && out.vlanCount <= PacketDecoder.MAX_VLAN_TAGS;
    if (!consistent) {
      throw new AssertionError(
          "inconsistent result on link type "
              + linkType
              + ": "
              + java.util.HexFormat.of().formatHex(data, off, off + Math.min(len, 200)));
    }
  }
}
