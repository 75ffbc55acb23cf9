package io.vigil.agent.sensor;

import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/**
 * Answers "which process is this pid right now": the process sensor's table, so that other sensors
 * (connections, files) attribute their events with the same entity ids, images and user names as
 * the process events. Implementations are thread-safe and never block on I/O for long (a bounded
 * {@code /proc} read at most).
 */
public interface ProcessDirectory {

  /** The process currently (or most recently, if it just exited) known under {@code pid}. */
  Optional<ProcessRef> find(int pid);

  /**
   * True when {@code pid} is a process forked less than {@code recentNanos} ago whose exec, if it
   * made one, the directory may not have recorded yet: it still shows its parent's image. A sensor
   * that attributes by pid can wait a little longer for such a process (a shell forks and execs
   * {@code chown} within microseconds; audit reports the exec later). False when unknown.
   */
  default boolean execPending(int pid, long recentNanos) {
    return false;
  }
}
