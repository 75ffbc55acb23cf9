package io.vigil.agent.sensor.file.source;

import io.vigil.agent.sensor.file.SourceOpener;
import java.io.IOException;

/**
 * Chooses the notification source: fanotify when the configuration allows it and the kernel permits
 * it, otherwise inotify, with the reason in words an operator can act on.
 */
public final class NotificationSources {
  /** What every fallback reason ends with: the consequence. */
  static final String INOTIFY_CONSEQUENCE = "using inotify: events carry no process";

  /** The reason when the configuration turned fanotify off. */
  static final String DISABLED_REASON =
      "fanotify disabled in config (sensors.file.fanotify: false); " + INOTIFY_CONSEQUENCE;

  private NotificationSources() {}

  /**
   * An opener that tries {@link FanotifySource} when {@code fanotifyAllowed} and falls back to
   * {@link InotifySource} (degraded, with the reason, e.g. {@code "fanotify_init failed: EPERM
   * (needs CAP_SYS_ADMIN); using inotify: events carry no process"}). Throws only when inotify
   * cannot be opened either; the message then names both failures.
   */
  public static SourceOpener opener(boolean fanotifyAllowed) {
    return plan -> {
      if (!fanotifyAllowed) {
        return new SourceOpener.Opened(InotifySource.open(plan), true, DISABLED_REASON);
      }
      String why;
      try {
        FanotifySource f = FanotifySource.open(plan);
        String unmarked = f.unmarkedTrees();
        return unmarked.isEmpty()
            ? new SourceOpener.Opened(f, false, "")
            : new SourceOpener.Opened(
                f, true, "fanotify cannot watch " + unmarked + "; changes there are not reported");
      } catch (IOException e) {
        why = e.getMessage();
      }
      try {
        return new SourceOpener.Opened(
            InotifySource.open(plan), true, why + "; " + INOTIFY_CONSEQUENCE);
      } catch (IOException e) {
        throw new IOException(why + "; inotify failed too: " + e.getMessage(), e);
      }
    };
  }
}
