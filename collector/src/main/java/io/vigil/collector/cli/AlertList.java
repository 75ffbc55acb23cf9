package io.vigil.collector.cli;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code vigil-collector alerts}: prints the newest alerts of a collector's store, one line each
 * (see {@link AlertLine}), oldest first. Reads through SQLite's WAL, so it works while the
 * collector runs and never blocks its writer.
 */
public final class AlertList {
  /** Alerts printed when {@code --limit} is not given. */
  public static final int DEFAULT_LIMIT = 50;

  private final Path db;
  private final PrintStream out;

  public AlertList(Path db, PrintStream out) {
    this.db = db;
    this.out = out;
  }

  /** Prints the newest {@code limit} alerts, then how many are stored in all. */
  public void print(int limit) {
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      for (AlertRow a : reader.latestAlerts(limit)) {
        out.println(AlertLine.format(a));
      }
      long total = reader.countAlerts();
      out.println(
          "(" + total + " alerts stored" + (total > limit ? ", newest " + limit : "") + ")");
      out.flush();
    }
  }
}
