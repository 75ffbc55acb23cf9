package io.vigil.collector.cli;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code vigil-collector alerts [--follow]}: prints the newest alerts of a collector's store, one
 * line each (see {@link AlertLine}), oldest first; with {@code --follow}, then each new alert as it
 * is stored. Reads through SQLite's WAL, so it works while the collector runs and never blocks its
 * writer.
 */
public final class AlertList {
  /** Alerts printed when {@code --limit} is not given. */
  public static final int DEFAULT_LIMIT = 50;

  private static final int PAGE = 500;

  private final Path db;
  private final PrintStream out;

  public AlertList(Path db, PrintStream out) {
    this.db = db;
    this.out = out;
  }

  /**
   * Prints the newest {@code limit} alerts, then new ones as they are stored, until interrupted or
   * the output goes away. Waits for the store to exist (a collector that is still starting).
   */
  public void follow(int limit, Duration poll) throws InterruptedException {
    while (!Files.exists(db)) {
      Thread.sleep(poll.toMillis());
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      long cursor = 0;
      List<AlertRow> page = reader.latestAlerts(limit);
      while (!Thread.currentThread().isInterrupted()) {
        for (AlertRow a : page) {
          out.println(AlertLine.format(a));
          cursor = a.id();
        }
        out.flush();
        if (out.checkError()) {
          return; // the reader went away (a closed pipe)
        }
        if (page.size() < PAGE) {
          Thread.sleep(poll.toMillis());
        }
        page = reader.alertsAfter(cursor, PAGE);
      }
    }
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
