package io.vigil.common.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a running process, closed in the reverse order of their start: a part is closed
 * before everything it was built on (the pipeline before the spool it drains into). A part that
 * fails to close is logged and the others still close. Thread-safe.
 */
public final class Closer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Closer.class);
  private final Deque<AutoCloseable> parts = new ArrayDeque<>();

  /** Registers a started part and returns it. */
  public synchronized <T extends AutoCloseable> T add(T part) {
    parts.push(part);
    return part;
  }

  @Override
  public synchronized void close() {
    while (!parts.isEmpty()) {
      AutoCloseable part = parts.pop();
      try {
        part.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("interrupted while stopping {}", part);
      } catch (Exception e) {
        log.warn("while stopping {}: {}", part, e.toString());
      }
    }
  }
}
