package io.vigil.agent.packet.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of a byte array, chosen at random: bit flips, bytes set to values that sit on length
 * and type boundaries, 16- and 32-bit fields set to such values (big-endian, as on the wire),
 * inserted, deleted and duplicated runs, truncation, and splicing with another corpus input. One to
 * four mutations per call. Deterministic for a given random generator; never returns more than
 * {@link #MAX_LENGTH} bytes.
 */
final class Mutator {
  static final int MAX_LENGTH = 1 << 16;

  private static final int[] INTERESTING_8 = {0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x16, 0x03, 0x40};
  private static final int[] INTERESTING_16 = {
    0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x0100, 0x4000
  };
  private static final long[] INTERESTING_32 = {0, 1, 0x7fffffffL, 0x80000000L, 0xffffffffL};

  private final SplittableRandom random;

  Mutator(SplittableRandom random) {
    this.random = random;
  }

  byte[] mutate(byte[] input, List<byte[]> corpus) {
    byte[] b = input;
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      b = once(b, corpus);
    }
    return b.length > MAX_LENGTH ? Arrays.copyOf(b, MAX_LENGTH) : b;
  }

  private byte[] once(byte[] in, List<byte[]> corpus) {
    if (in.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    byte[] b = in.clone();
    int at = random.nextInt(b.length);
    switch (random.nextInt(9)) {
      case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b[at] = (byte) INTERESTING_8[random.nextInt(INTERESTING_8.length)];
      case 2 -> b[at] = (byte) random.nextInt(256);
      case 3 -> {
        if (at + 1 < b.length) {
          int v = INTERESTING_16[random.nextInt(INTERESTING_16.length)];
          b[at] = (byte) (v >>> 8);
          b[at + 1] = (byte) v;
        }
      }
      case 4 -> {
        if (at + 3 < b.length) {
          long v = INTERESTING_32[random.nextInt(INTERESTING_32.length)];
          for (int k = 0; k < 4; k++) {
            b[at + k] = (byte) (v >>> (24 - 8 * k));
          }
        }
      }
      case 5 -> {
        return Arrays.copyOf(b, at); // truncate
      }
      case 6 -> { // delete a run
        int len = Math.min(b.length - at, 1 + random.nextInt(16));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
      }
      case 7 -> { // duplicate a run in place
        int len = Math.min(b.length - at, 1 + random.nextInt(64));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, at + len);
        System.arraycopy(b, at, out, at + len, b.length - at);
        return out;
      }
      default -> { // splice: our head, another input's tail
        byte[] other = corpus.get(random.nextInt(corpus.size()));
        if (other.length == 0) {
          return b;
        }
        int from = random.nextInt(other.length);
        byte[] out = new byte[at + other.length - from];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(other, from, out, at, other.length - from);
        return out;
      }
    }
    return b;
  }
}
