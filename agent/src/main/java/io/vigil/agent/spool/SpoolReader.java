package io.vigil.agent.spool;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads spool entries in seq order without blocking. Owned by ONE thread (the shipper): the
 * Chronicle tailer underneath is single-threaded, and it is created on the first call so that it
 * belongs to the thread that uses it.
 *
 * <p>The read position is independent of the spool's committed position: the shipper reads ahead
 * (leases) and commits what the collector acknowledged. When the disk cap deleted entries the
 * reader has not reached, it continues at the first remaining one; the spool's {@code Gap} event
 * accounts for the hole.
 */
public final class SpoolReader implements AutoCloseable {
  private final Spool spool;
  private ExcerptTailer tailer;
  private long expected = 1;
  private long deletionsSeen = -1;

  SpoolReader(Spool spool) {
    this.spool = spool;
  }

  /**
   * Positions the reader so that {@link #next} returns the first remaining entry after {@code seq}.
   */
  public void seekAfter(long seq) {
    if (seq < 0) {
      throw new IllegalArgumentException("seq must not be negative: " + seq);
    }
    expected = seq + 1;
    position();
  }

  /** The seq the next read is expected to return (the first remaining one may be higher). */
  public long nextSeq() {
    return expected;
  }

  /** The next entry, or {@code null} when nothing new is available right now. */
  public SpooledEvent next() {
    if (tailer == null || deletionsSeen != spool.deletions()) {
      position();
    }
    boolean repositioned = false;
    while (true) {
      SpooledEvent e;
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          return null;
        }
        e = EntryCodec.read(dc.wire().bytes());
      }
      if (e.seq() < expected) {
        continue; // positioned early by a fallback: skip what was already returned
      }
      if (e.seq() > expected && !repositioned) {
        // Either entries were appended while we moved to the end, or a cycle was deleted under
        // us. Going to the exact position once tells the two apart.
        repositioned = true;
        position();
        continue;
      }
      expected = e.seq() + 1;
      return e;
    }
  }

  private void position() {
    if (tailer == null) {
      tailer = spool.queue().createTailer();
    }
    deletionsSeen = spool.deletions();
    if (expected > spool.lastSeq()) {
      tailer.toEnd();
      return;
    }
    CycleIndex.Start start = spool.cycles().floor(expected);
    if (start == null || !tailer.moveToIndex(CycleIndex.indexOf(start, expected))) {
      tailer.toStart(); // earlier entries were deleted, or the index is not where we expect
    }
  }

  @Override
  public void close() {
    if (tailer != null) {
      tailer.close();
    }
  }
}
