package io.vigil.agent.packet.quic;

import java.util.Arrays;

/**
 * An Initial CRYPTO stream put back together by offset: pieces may arrive out of order, overlap, or
 * repeat (retransmissions). Bytes go into one array that grows as needed up to a fixed bound; which
 * ranges are filled is kept as sorted, merged [start, end) intervals, also bounded. Where pieces
 * overlap the later copy is kept: an honest client sends the same bytes again. Not thread-safe.
 *
 * <p>Memory follows what was sent, not what an offset claims: a piece may start at most {@code
 * window} bytes past {@link #contiguous()} (else {@link Added#TOO_FAR_AHEAD}), and the array grows
 * by doubling only up to {@code contiguous() + window}, past that only to the end of a piece whose
 * bytes were all sent. So the unfilled part of the array (gaps and slack) is at most {@code window}
 * bytes: one CRYPTO frame of 1 byte at offset 65535 is refused, one at offset 8192 costs 8 KiB, not
 * 64. Worst case allocated: {@code min(maxBytes, filled + window)} bytes of data plus {@code 8 *
 * maxPieces} bytes of intervals. Real handshakes are far inside the window: a ClientHello split
 * over two or three datagrams, out of order, has its pieces within about 3 KiB of each other.
 */
final class CryptoReassembly {
  enum Added {
    OK,
    /** The piece ends past the byte bound. */
    TOO_LARGE,
    /** Keeping the piece would need more separate intervals than the bound. */
    TOO_FRAGMENTED,
    /** The piece starts more than the window past {@link #contiguous()}: not kept. */
    TOO_FAR_AHEAD
  }

  /** The window of the callers: how far past the contiguous prefix a piece may end. */
  static final int DEFAULT_WINDOW = 8 * 1024;

  private final int maxBytes;
  private final int maxPieces;
  private final int window;
  private byte[] data = new byte[0];
  private int[] starts = new int[4];
  private int[] ends = new int[4];
  private int pieces;

  CryptoReassembly(int maxBytes, int maxPieces) {
    this(maxBytes, maxPieces, DEFAULT_WINDOW);
  }

  CryptoReassembly(int maxBytes, int maxPieces, int window) {
    this.maxBytes = maxBytes;
    this.maxPieces = maxPieces;
    this.window = window;
  }

  Added add(long offset, byte[] buf, int off, int len) {
    if (offset > maxBytes || len > maxBytes - offset) {
      return Added.TOO_LARGE;
    }
    if (len == 0) {
      return Added.OK;
    }
    int s = (int) offset;
    int e = s + len;
    int limit = contiguous() + window; // no overflow: both at most maxBytes, an int
    if (s > limit) {
      return Added.TOO_FAR_AHEAD;
    }
    // The intervals [i, j) touch or overlap [s, e) and merge with it into one.
    int i = 0;
    while (i < pieces && ends[i] < s) {
      i++;
    }
    int j = i;
    int mergedStart = s;
    int mergedEnd = e;
    while (j < pieces && starts[j] <= e) {
      mergedStart = Math.min(mergedStart, starts[j]);
      mergedEnd = Math.max(mergedEnd, ends[j]);
      j++;
    }
    if (j == i && pieces == maxPieces) {
      return Added.TOO_FRAGMENTED;
    }
    if (e > data.length) {
      // Doubling keeps copies few; capping it at the limit keeps what is allocated near what is
      // held
      // (a piece reaching past the limit gets exactly its end: its bytes were all sent).
      int grown = Math.min(maxBytes, Math.max(e, Math.min(limit, 2 * data.length)));
      data = Arrays.copyOf(data, grown);
    }
    System.arraycopy(buf, off, data, s, len);
    if (j == i) {
      if (pieces == starts.length) {
        starts = Arrays.copyOf(starts, Math.min(maxPieces, Math.max(4, 2 * pieces)));
        ends = Arrays.copyOf(ends, starts.length);
      }
      System.arraycopy(starts, i, starts, i + 1, pieces - i);
      System.arraycopy(ends, i, ends, i + 1, pieces - i);
      pieces++;
    } else if (j - i > 1) {
      System.arraycopy(starts, j, starts, i + 1, pieces - j);
      System.arraycopy(ends, j, ends, i + 1, pieces - j);
      pieces -= j - i - 1;
    }
    starts[i] = mergedStart;
    ends[i] = mergedEnd;
    return Added.OK;
  }

  /** How many bytes from offset 0 are filled without a gap. */
  int contiguous() {
    return pieces > 0 && starts[0] == 0 ? ends[0] : 0;
  }

  /** Separate filled intervals now. */
  int pieces() {
    return pieces;
  }

  /** The byte at {@code i}, which must lie below {@link #contiguous()}. */
  int byteAt(int i) {
    return data[i] & 0xff;
  }

  /** Bytes allocated now (data and intervals), for the owners' memory accounting. */
  int allocatedBytes() {
    return data.length + 8 * starts.length;
  }

  /** A copy of {@code [0, n)}, which must lie below {@link #contiguous()}. */
  byte[] prefix(int n) {
    return Arrays.copyOf(data, n);
  }

  /** Drops the buffers once the stream is no longer needed. */
  void release() {
    data = new byte[0];
    starts = new int[0];
    ends = new int[0];
    pieces = 0;
  }
}
