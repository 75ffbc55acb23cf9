package io.vigil.agent.packet.stream;

import java.util.ArrayList;

/**
 * One direction of a TCP connection: turns segments into in-order bytes for a {@link StreamSink}.
 *
 * <p>Sequence numbers become 64-bit stream offsets by their signed 32-bit distance from the next
 * expected sequence number, which handles wraparound at 2^32 and places any segment within 2 GiB
 * either side. Bytes before the next offset were delivered already (a retransmission: dropped);
 * bytes past the depth are dropped; bytes ahead of a hole are copied into a list of non-overlapping
 * segments sorted by offset, so that a segment overlapping buffered bytes keeps the bytes seen
 * first and only its uncovered parts are stored. Invariant: every buffered segment starts after
 * {@link #next} (otherwise it would have been delivered).
 */
final class StreamDirection {
  private static final class Segment {
    final long offset;
    final byte[] data;

    Segment(long offset, byte[] data) {
      this.offset = offset;
      this.data = data;
    }

    long end() {
      return offset + data.length;
    }
  }

  private final Direction direction;
  private final StreamSink sink;
  private final StreamCounters counters;
  private final ReassemblyBudget budget;
  private final long maxBuffered;
  private final long depth;

  private boolean started;
  private int base; // the sequence number of stream offset 0
  private long next; // offset of the next byte to deliver (or skip)
  private long fin = -1; // offset of the FIN (just past the last byte); -1 until one is seen
  private boolean closed;
  private boolean finUnplaced; // a FIN seen before the stream started
  private boolean stopped;
  private boolean stoppedByAnalyzer;
  private boolean truncated;
  private ArrayList<Segment> pending; // allocated on the first out-of-order segment
  private long pendingCost;

  StreamDirection(
      Direction direction,
      StreamSink sink,
      StreamCounters counters,
      ReassemblyBudget budget,
      long maxBuffered,
      long depth) {
    this.direction = direction;
    this.sink = sink;
    this.counters = counters;
    this.budget = budget;
    this.maxBuffered = maxBuffered;
    this.depth = depth;
  }

  boolean started() {
    return started;
  }

  /** The sequence number of the first data byte (the SYN's plus one, or the first segment's). */
  int base() {
    return base;
  }

  boolean finSeen() {
    return fin >= 0 || finUnplaced;
  }

  /** The FIN was reached in order and reported. */
  boolean closed() {
    return closed;
  }

  /** No more bytes will be delivered: depth reached or the analyzer asked to stop. */
  boolean stopped() {
    return stopped;
  }

  long bufferedCost() {
    return pendingCost;
  }

  /**
   * One segment of this direction.
   *
   * @return true when it carried bytes not seen before (delivered or buffered)
   */
  boolean segment(int seq, boolean syn, boolean finFlag, byte[] b, int off, int len, long ts) {
    if (!started && !syn && len == 0) {
      // A bare ACK or FIN cannot start the stream (a forged one would fix a wrong start): the
      // first SYN or data does. A FIN is remembered and reported when the connection ends.
      finUnplaced |= finFlag;
      return false;
    }
    if (!started || (syn && seq + 1 != base && next == 0 && !closed && !stopped && isEmpty())) {
      // The first SYN or data starts the sequence space; so does a SYN with another initial
      // number while nothing was delivered or closed yet (the earlier segments were forged or
      // from an older connection: a handshake after a reset, as stacks accept it).
      started = true;
      base = syn ? seq + 1 : seq;
      fin = -1;
      finUnplaced = false;
    }
    int dataSeq = syn ? seq + 1 : seq;
    // Signed distance from the next expected sequence number: wraparound-safe.
    long o = next + (dataSeq - (base + (int) next));
    long end = o + len;
    if (finFlag && fin < 0 && end >= next) {
      fin = end;
      dropBeyond(fin);
    }
    boolean fresh = false;
    if (len > 0 && !stopped) {
      long delivered = counters.bytesDelivered;
      long cost = pendingCost;
      data(b, off, o, end, ts);
      fresh = counters.bytesDelivered != delivered || pendingCost > cost;
    }
    reportClosed(ts);
    return fresh;
  }

  /** Drops buffered bytes at or past {@code limit} (a FIN learned after them). */
  private void dropBeyond(long limit) {
    if (pending == null) {
      return;
    }
    for (int i = pending.size() - 1; i >= 0; i--) {
      Segment s = pending.get(i);
      if (s.end() <= limit) {
        return;
      }
      pending.remove(i);
      releaseCost(s);
      if (s.offset < limit) {
        byte[] keep = java.util.Arrays.copyOf(s.data, (int) (limit - s.offset));
        pending.add(i, new Segment(s.offset, keep));
        long c = keep.length + ReassemblyBudget.SEGMENT_OVERHEAD;
        if (budget.tryReserve(c)) {
          pendingCost += c;
        } else {
          pending.remove(i); // cannot happen: less than what was just released
        }
        return;
      }
    }
  }

  private boolean isEmpty() {
    return pending == null || pending.isEmpty();
  }

  private void data(byte[] b, int off, long o, long end, long ts) {
    if (end <= next) {
      counters.retransmitted++;
      counters.retransmittedBytes += end - o;
      return;
    }
    if (o < next) {
      counters.retransmitted++;
      counters.retransmittedBytes += next - o;
    }
    long lim = end;
    if (fin >= 0 && lim > fin) {
      lim = fin; // bytes after the FIN cannot be
    }
    if (lim > depth) {
      lim = depth;
      if (!truncated) {
        truncated = true;
        counters.depthTruncated++;
      }
    }
    if (Math.max(o, next) >= lim) {
      return;
    }
    if (o <= next) {
      deliverFrom(b, off, o, lim, ts);
    } else {
      buffer(b, off, o, lim, ts);
    }
  }

  /**
   * Delivers the packet's bytes [next, lim) (o <= next), preferring buffered bytes where they
   * overlap.
   */
  private void deliverFrom(byte[] b, int off, long o, long lim, long ts) {
    long pos = next;
    boolean overlapped = false;
    boolean differs = false;
    while (pos < lim && !stopped) {
      Segment first = pending == null || pending.isEmpty() ? null : pending.get(0);
      if (first == null || first.offset > pos) {
        long upTo = first == null ? lim : Math.min(lim, first.offset);
        emit(b, off + (int) (pos - o), (int) (upTo - pos), ts);
        pos = upTo;
      } else {
        long ovEnd = Math.min(lim, first.end());
        overlapped = true;
        differs |=
            differ(b, off + (int) (pos - o), first.data, (int) (pos - first.offset), ovEnd - pos);
        pending.remove(0);
        releaseCost(first);
        emit(first.data, (int) (next - first.offset), (int) (first.end() - next), ts);
        pos = next;
      }
    }
    countOverlap(overlapped, differs);
    drain(ts);
  }

  /**
   * Copies the uncovered parts of [o, lim) (o > next) into the buffer, skipping holes when bounds
   * refuse.
   */
  private void buffer(byte[] b, int off, long o, long lim, long ts) {
    counters.outOfOrder++;
    if (pending == null) {
      pending = new ArrayList<>();
    }
    while (true) {
      int first = firstEndingAfter(o);
      long cost = 0;
      long pos = o;
      for (int j = first; j < pending.size() && pos < lim; j++) {
        Segment s = pending.get(j);
        if (s.offset >= lim) {
          break;
        }
        if (s.offset > pos) {
          cost += s.offset - pos + ReassemblyBudget.SEGMENT_OVERHEAD;
        }
        pos = Math.max(pos, s.end());
      }
      if (pos < lim) {
        cost += lim - pos + ReassemblyBudget.SEGMENT_OVERHEAD;
      }
      boolean fits = pendingCost + cost <= maxBuffered;
      if (cost == 0 || (fits && budget.tryReserve(cost))) {
        pendingCost += cost;
        insert(first, b, off, o, lim);
        return;
      }
      if (fits) {
        counters.budgetRefusals++;
      } else {
        counters.bufferLimitHits++;
      }
      // A bound was hit: give up waiting for the first hole, deliver what follows it, retry.
      long holeEnd = pending.isEmpty() ? o : pending.get(0).offset;
      gap(holeEnd - next, ts);
      drain(ts);
      if (stopped || lim <= next) {
        return;
      }
      if (o <= next) {
        deliverFrom(b, off, o, lim, ts);
        return;
      }
    }
  }

  private void insert(int j, byte[] b, int off, long o, long lim) {
    long pos = o;
    boolean overlapped = false;
    boolean differs = false;
    while (pos < lim) {
      Segment s = j < pending.size() ? pending.get(j) : null;
      if (s == null || s.offset >= lim) {
        pending.add(j, copy(b, off + (int) (pos - o), pos, lim));
        break;
      }
      if (s.offset > pos) {
        pending.add(j++, copy(b, off + (int) (pos - o), pos, s.offset));
        pos = s.offset;
        continue;
      }
      long ovEnd = Math.min(lim, s.end());
      overlapped = true;
      differs |= differ(b, off + (int) (pos - o), s.data, (int) (pos - s.offset), ovEnd - pos);
      pos = ovEnd;
      j++;
    }
    countOverlap(overlapped, differs);
  }

  private static Segment copy(byte[] b, int from, long offset, long end) {
    byte[] d = new byte[(int) (end - offset)];
    System.arraycopy(b, from, d, 0, d.length);
    return new Segment(offset, d);
  }

  private static boolean differ(byte[] a, int aOff, byte[] b, int bOff, long n) {
    for (int i = 0; i < n; i++) {
      if (a[aOff + i] != b[bOff + i]) {
        return true;
      }
    }
    return false;
  }

  private void countOverlap(boolean overlapped, boolean differs) {
    if (differs) {
      counters.overlapsDifferent++;
    } else if (overlapped) {
      counters.overlapsSame++;
    }
  }

  /** Index of the first buffered segment ending after {@code offset} (ends are sorted too). */
  private int firstEndingAfter(long offset) {
    int lo = 0;
    int hi = pending.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (pending.get(mid).end() <= offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Delivers buffered segments while they continue the stream. */
  private void drain(long ts) {
    while (!stopped && pending != null && !pending.isEmpty()) {
      Segment s = pending.get(0);
      if (s.offset > next) {
        return;
      }
      pending.remove(0);
      releaseCost(s);
      if (s.end() > next) {
        emit(s.data, (int) (next - s.offset), (int) (s.end() - next), ts);
      }
    }
  }

  private void emit(byte[] b, int off, int len, long ts) {
    counters.bytesDelivered += len;
    next += len;
    if (!sink.data(direction, b, off, len, ts)) {
      stoppedByAnalyzer = true;
      counters.stoppedByAnalyzer++;
      stop();
    } else if (next >= depth) {
      stop();
    }
  }

  private void gap(long n, long ts) {
    if (n <= 0 || stopped) {
      return;
    }
    counters.gaps++;
    counters.gapBytes += n;
    next += n;
    sink.gap(direction, n, ts);
    if (next >= depth) {
      stop();
    }
  }

  /** The connection ends: holes still open are skipped as gaps, then the FIN (if seen) reported. */
  void flush(long ts) {
    while (!stopped && pending != null && !pending.isEmpty()) {
      gap(pending.get(0).offset - next, ts);
      drain(ts);
    }
    if (!stopped && fin > next) {
      gap(Math.min(fin, depth) - next, ts);
    }
    if (!started && finUnplaced && !closed) {
      closed = true;
      sink.closed(direction, ts);
    }
    reportClosed(ts);
  }

  /** No more bytes wanted (the caller's decision, as if the sink had returned false). */
  void stopByCaller() {
    if (!stopped) {
      stoppedByAnalyzer = true;
      stop();
    }
  }

  private void reportClosed(long ts) {
    if (!closed && fin >= 0 && next >= fin && !stoppedByAnalyzer) {
      closed = true;
      sink.closed(direction, ts);
    }
  }

  /** Frees what is buffered (returning it to the budget) and delivers nothing more. */
  void stop() {
    stopped = true;
    if (pending != null) {
      budget.release(pendingCost);
      pendingCost = 0;
      pending = null;
    }
  }

  private void releaseCost(Segment s) {
    long c = s.data.length + ReassemblyBudget.SEGMENT_OVERHEAD;
    pendingCost -= c;
    budget.release(c);
  }
}
