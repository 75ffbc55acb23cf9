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
}
