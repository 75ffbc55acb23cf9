package io.vigil.agent.packet.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all reassemblers sharing it may hold out of order, in bytes (each buffered segment is
 * charged its length plus {@link #SEGMENT_OVERHEAD}, so that many tiny segments cannot hold more
 * memory than the budget says). A reassembler that cannot reserve what it needs skips a hole
 * instead (reported as a gap) and counts the refusal. Thread-safe, so that several capture threads
 * may share one budget; reserving is lock-free.
 */
public final class ReassemblyBudget {
  /** What one buffered segment is charged besides its bytes: its object and list slot. */
  public static final int SEGMENT_OVERHEAD = 64;

  /** 64 MiB: 256 connections each holding a full 256 KiB out-of-order window. */
  public static final long DEFAULT_BYTES = 64L << 20;

  private final long capacity;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();

  public ReassemblyBudget(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("capacity must be >= 0: " + capacityBytes);
    }
    this.capacity = capacityBytes;
  }

  /** Reserves {@code bytes} (>= 0) if they fit; false (and counted) when they do not. */
  public boolean tryReserve(long bytes) {
    while (true) {
      long u = used.get();
      if (u + bytes > capacity) {
        refusals.incrementAndGet();
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  public long capacity() {
    return capacity;
  }

  /** Bytes reserved now. */
  public long used() {
    return used.get();
  }

  /** Reservations refused since the budget was made. */
  public long refusals() {
    return refusals.get();
  }
}
