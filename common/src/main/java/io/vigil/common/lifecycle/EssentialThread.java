package io.vigil.common.lifecycle;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread the process cannot do without (the spool writer, the shipper, the ingest writer). If it
 * dies of an uncaught throwable, the process exits with status 70 after logging why, so that its
 * supervisor (systemd) restarts it, rather than running on without spooling or storing anything.
 * Everything these threads own is durable, so a restart loses nothing that was acknowledged.
 */
public final class EssentialThread {
  /** sysexits.h EX_SOFTWARE: an internal error. */
  public static final int EXIT_STATUS = 70;

  private static final Logger log = LoggerFactory.getLogger(EssentialThread.class);

  private EssentialThread() {}

  public static Thread create(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setUncaughtExceptionHandler(
        (thread, e) -> {
          log.error("essential thread {} died; exiting so that the service is restarted", name, e);
          Runtime.getRuntime().halt(EXIT_STATUS);
        });
    return t;
  }
}
