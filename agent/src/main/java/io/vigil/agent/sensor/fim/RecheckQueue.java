package io.vigil.agent.sensor.fim;

import io.vigil.proto.v1.ProcessRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paths waiting to be re-checked, each once however often it changes meanwhile: the re-check is due
 * a fixed delay after the first change (a file written continuously is still re-checked), and
 * carries the last process known to have changed it. Bounded: when full, a new path is refused and
 * the caller schedules a rescan instead. Thread-safe and non-blocking; the file sensor's thread
 * adds, the sensor's worker takes.
 */
final class RecheckQueue {
  /**
   * A path's pending re-check.
   *
   * @param dueNanos when it is due, on {@link System#nanoTime}'s scale
   * @param actor the last process reported to have changed it
   */
  record Pending(long dueNanos, Optional<ProcessRef> actor) {}

  /** A due re-check, taken off the queue. */
  record Due(String path, Optional<ProcessRef> actor) {}

  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final int capacity;
  private final long delayNanos;

  RecheckQueue(int capacity, long delayNanos) {
    this.capacity = capacity;
    this.delayNanos = delayNanos;
  }

  /**
   * Queues {@code path} (or updates its actor when it is already queued).
   *
   * @return false when the queue is full and the path was not queued
   */
  boolean add(String path, Optional<ProcessRef> actor, long nowNanos) {
    if (pending.size() >= capacity && !pending.containsKey(path)) {
      return false;
    }
    pending.merge(
        path,
        new Pending(nowNanos + delayNanos, actor),
        (old, neu) -> new Pending(old.dueNanos(), neu.actor().or(old::actor)));
    return true;
  }

  /** Removes and returns the re-checks due at {@code nowNanos}, earliest first. */
  List<Due> takeDue(long nowNanos) {
    List<Map.Entry<String, Pending>> due = new ArrayList<>();
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      if (e.getValue().dueNanos() - nowNanos <= 0) {
        due.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    due.sort((a, b) -> Long.compare(a.getValue().dueNanos() - b.getValue().dueNanos(), 0));
    List<Due> out = new ArrayList<>(due.size());
    for (Map.Entry<String, Pending> e : due) {
      // Removed before it is checked: a change reported from now on queues the path again.
      Pending p = pending.remove(e.getKey());
      if (p != null) {
        out.add(new Due(e.getKey(), p.actor()));
      }
    }
    return out;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  int size() {
    return pending.size();
  }

  void clear() {
    pending.clear();
  }

  /** The delay after which a change is re-checked. */
  long delayNanos() {
    return delayNanos;
  }
}
