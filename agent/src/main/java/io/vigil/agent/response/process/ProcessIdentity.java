package io.vigil.agent.response.process;

import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import java.time.Instant;

/**
 * Whether an entity id names the process that holds a pid now. The process sensor derives an entity
 * id from (boot id, pid, start ticks) and, for the third and later image of one process (an exec
 * without a fork), from its exec generation too ({@link EntityIds#of(String, int, long, int)}).
 * Every one of these ids contains the start ticks, so a match with the live process's start ticks
 * proves the pid was not reused: the id of an earlier image of the same process matches as well,
 * because it is the same process. Stateless apart from the boot; thread-safe.
 */
final class ProcessIdentity {
  /**
   * Exec generations tried: the id of a later image of a process that exec'd without forking more
   * often than this does not match (it is refused, never mistaken). 1024 SHA-256 digests of ~60
   * bytes take well under a millisecond.
   */
  static final int MAX_EXEC_GENERATIONS = 1024;

  private final BootTime boot;

  ProcessIdentity(BootTime boot) {
    this.boot = boot;
  }

  /** True when {@code entityId} belongs to process {@code pid} started {@code startTicks}. */
  boolean matches(String entityId, int pid, long startTicks) {
    for (int generation = 1; generation <= MAX_EXEC_GENERATIONS; generation++) {
      if (EntityIds.of(boot.bootId(), pid, startTicks, generation).equals(entityId)) {
        return true;
      }
    }
    return false;
  }

  /** The entity id of the process's first image, as the sensor reports a forked process. */
  String entityId(int pid, long startTicks) {
    return boot.entityId(pid, startTicks);
  }

  /** The start of process started {@code startTicks} after boot, for messages. */
  Instant startTime(long startTicks) {
    long ns = boot.startTimeNanos(startTicks);
    return Instant.ofEpochSecond(
        Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
  }
}
