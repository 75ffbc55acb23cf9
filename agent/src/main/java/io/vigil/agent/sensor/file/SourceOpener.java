package io.vigil.agent.sensor.file;

import java.io.IOException;

/** Opens the notification source for a plan: fanotify when allowed and permitted, else inotify. */
@FunctionalInterface
public interface SourceOpener {

  /**
   * Opens a source watching {@code plan}.
   *
   * @throws IOException when no source can be opened at all
   */
  Opened open(WatchPlan plan) throws IOException;

  /**
   * The source that was opened, and whether it is a fallback.
   *
   * @param source the open source; the caller closes it
   * @param degraded true when the preferred source (fanotify) is not in use
   * @param reason why, in words an operator can act on ({@code ""} when not degraded)
   */
  record Opened(NotificationSource source, boolean degraded, String reason) {}
}
