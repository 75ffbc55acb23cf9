package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.ProcessRef;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emits process exits after a settle delay. kauditd delivers a process's exec record
 * asynchronously, often after the proc connector has already reported the exit; waiting lets that
 * record update the table first, so the exit carries the image and entity id of the exec. The
 * process is read from the table when the delay ends, not when it exited.
 *
 * <p>Thread-safe. Owns one thread, {@code vigil-proc-exit}. At most {@link #MAX_PENDING} exits wait
 * (each holds a table entry, so this bounds their heap); beyond that an exit is emitted at once,
 * without settling: it is not lost, but may carry the forked image instead of the exec's. {@link
 * #unsettled} counts those. {@link #close} emits the waiting exits.
 */
final class ExitSettler implements AutoCloseable {
  static final int MAX_PENDING = 16_384;

  private final ProcessTable table;
  private final long delayNanos;
  private final int maxPending;
  private final ScheduledThreadPoolExecutor timer;
  private final AtomicLong unsettled = new AtomicLong();
  private volatile EventSink sink;

  ExitSettler(ProcessTable table, Duration delay) {
    this(table, delay, MAX_PENDING);
  }

  ExitSettler(ProcessTable table, Duration delay, int maxPending) {
    this.table = table;
    this.delayNanos = delay.toNanos();
    this.maxPending = maxPending;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "vigil-proc-exit");
              t.setDaemon(true);
              return t;
            });
  }

  void start(EventSink sink) {
    this.sink = sink;
  }

  /**
   * An exit the kernel reported.
   *
   * @param atExit the table's entry when the exit arrived (empty when it did not know the pid)
   * @param statusKnown false for an exit inferred by polling
   */
  void exited(
      int pid, Optional<ProcessEntry> atExit, int rawExitCode, boolean statusKnown, long wallNs) {
    Runnable emit = () -> emit(pid, atExit, rawExitCode, statusKnown, wallNs);
    if (delayNanos == 0) {
      emit.run();
    } else if (timer.getQueue().size() >= maxPending || timer.isShutdown()) {
      unsettled.incrementAndGet();
      emit.run();
    } else {
      timer.schedule(emit, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Exits emitted at once because too many waited (or the settler was closing). */
  long unsettled() {
    return unsettled.get();
  }

  private void emit(
      int pid, Optional<ProcessEntry> atExit, int raw, boolean statusKnown, long wallNs) {
    // The same process (same start) may have had its exec recorded meanwhile; a different process
    // under the same pid (reuse within the delay) must not lend it its image.
    Optional<ProcessEntry> now =
        table.get(pid).filter(e -> atExit.isEmpty() || e.startTicks() == atExit.get().startTicks());
    Optional<ProcessEntry> entry = now.isPresent() ? now : atExit;
    ProcessExit.Builder exit =
        ProcessExit.newBuilder()
            .setProcess(
                entry.map(ProcessEntry::toRef).orElse(ProcessRef.newBuilder().setPid(pid).build()))
            .setExitStatusKnown(statusKnown);
    if (statusKnown) {
      exit.setExitCode((raw >> 8) & 0xFF).setExitSignal(raw & 0x7F);
    }
    entry
        .filter(e -> e.startTimeNs() > 0 && wallNs > e.startTimeNs())
        .ifPresent(e -> exit.setDurationNs(wallNs - e.startTimeNs()));
    EventSink s = sink;
    if (s != null) {
      s.offer(SensorEvents.exit(wallNs, exit.build()));
    }
  }

  /** Emits what still waits, then stops the thread. Blocks at most the settle delay plus 1 s. */
  @Override
  public void close() {
    timer.shutdown(); // delayed tasks still run after shutdown by default
    try {
      timer.awaitTermination(delayNanos + 1_000_000_000L, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
  }
}
