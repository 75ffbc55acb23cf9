package io.vigil.agent.packet.quic;

import java.util.Arrays;

/**
 * The client's Initial CRYPTO stream put back together by offset: pieces may arrive out of order,
 * overlap, or repeat (retransmissions). Bytes go into one array that grows as needed up to a fixed
 * bound; which ranges are filled is kept as sorted, merged [start, end) intervals, also bounded.
 * Where pieces overlap the later copy is kept: an honest client sends the same bytes again. Not
 * thread-safe.
 */
final class CryptoReassembly {
  enum Added {
    OK,
    /** The piece ends past the byte bound. */
    TOO_LARGE,
    /** Keeping the piece would need more separate intervals than the bound. */
    TOO_FRAGMENTED
  }

  private final int maxBytes;
  private final int maxPieces;
  private byte[] data = new byte[0];
  private int[] starts = new int[4];
  private int[] ends = new int[4];
  private int pieces;

  CryptoReassembly(int maxBytes, int maxPieces) {
    this.maxBytes = maxBytes;
    this.maxPieces = maxPieces;
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
      data = Arrays.copyOf(data, Math.min(maxBytes, Math.max(e, 2 * data.length)));
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
