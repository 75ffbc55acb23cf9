package io.vigil.agent.sensor.file;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the {@link FileChangeListener} that the real-time stream lost something, at most once a
 * second: a loss during the quiet second is not forgotten but passed on when the second is over, so
 * a rescan the first call started cannot miss a later loss. {@link #request} is thread-safe; {@link
 * #tick} is called by the processor thread only.
 */
final class LostSignal {
  private final AtomicBoolean requested = new AtomicBoolean();
  private boolean everCalled;
  private long lastCallNanos;

  /** Something was lost. */
  void request() {
    requested.set(true);
  }

  /** Calls {@code listener.lost()} if requested and allowed at monotonic {@code nowNanos}. */
  void tick(long nowNanos, FileChangeListener listener, boolean force) {
    if (!requested.get()) {
      return;
    }
    if (!force && everCalled && nowNanos - lastCallNanos < LossReports.INTERVAL_NANOS) {
      return;
    }
    requested.set(false);
    everCalled = true;
    lastCallNanos = nowNanos;
    listener.lost();
  }
}
