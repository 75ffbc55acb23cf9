package io.vigil.agent.sensor.file;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A kernel file-notification facility, opened on a {@link WatchPlan}: fanotify (with the acting
 * process) or inotify (without). One thread calls {@link #poll} in a loop; {@link #close} may come
 * from another thread and makes a blocked poll return.
 */
public interface NotificationSource extends AutoCloseable {

  /** {@code "fanotify"} or {@code "inotify"}: the {@code FileEvent.source} of its events. */
  String name();

  /**
   * Waits up to {@code timeoutMillis} for notifications and hands each, decoded, to {@code out} on
   * the calling thread, in the kernel's order. A lost-notifications condition (kernel queue
   * overflow) is handed on as a notification with {@link FileOps#OVERFLOW} and an empty path.
   * Notifications caused by the agent's own process are never handed on.
   *
   * @return how many notifications were handed on
   * @throws IOException when the facility failed for good (the sensor reports it and stops)
   */
  int poll(int timeoutMillis, Consumer<FileNotification> out) throws IOException;

  /**
   * Counters of the source's own work, for the metrics endpoint: name (without prefix) to value,
   * e.g. {@code "watches"} for inotify or {@code "unresolved_handles"} for fanotify.
   */
  java.util.Map<String, Long> counters();

  /** Releases the kernel object; idempotent; never throws. */
  @Override
  void close();
}
