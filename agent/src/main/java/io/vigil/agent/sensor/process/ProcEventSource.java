package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.procconnector.ProcEvent;
import java.io.IOException;
import java.util.List;

/**
 * Where fork/exec/exit events come from: the kernel's proc connector in production ({@link
 * ProcConnectorEventSource}), a scripted list in tests. Not thread-safe: one thread calls {@link
 * #next} in a loop and then {@link #close}.
 */
public interface ProcEventSource extends AutoCloseable {

  /** Opens a source; fails (e.g. "proc connector needs CAP_NET_ADMIN") when it cannot listen. */
  @FunctionalInterface
  interface Opener {
    ProcEventSource open() throws IOException;
  }

  /**
   * What one read gave.
   *
   * @param events the events, in kernel order
   * @param lost true when the source reported that events were dropped before this read
   */
  record Batch(List<ProcEvent> events, boolean lost) {
    /** Nothing arrived within the read timeout. */
    public static final Batch EMPTY = new Batch(List.of(), false);

    public Batch {
      events = List.copyOf(events);
    }
  }

  /**
   * Waits a short while (at most a few hundred milliseconds, so that the caller can notice a stop
   * request) for events.
   *
   * @throws IOException when the source broke and cannot deliver any more
   */
  Batch next() throws IOException;

  /** Releases the source; idempotent, does not throw. */
  @Override
  void close();
}
