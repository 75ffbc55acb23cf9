package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.v1.Event;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Follows a collector's store from another process and prints each new event as one line. Reads
 * through SQLite's WAL, so it never blocks the collector's writer.
 */
public final class EventTail {
  private static final int PAGE = 500;

  private final Path db;
  private final PrintStream out;

  public EventTail(Path db, PrintStream out) {
    this.db = db;
    this.out = out;
  }

  /**
   * Prints the newest {@code backlog} events, then new ones as they are stored, until interrupted.
   */
  public void follow(int backlog, Duration poll) throws InterruptedException {
    while (!Files.exists(db)) {
      Thread.sleep(poll.toMillis());
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      long cursor = Math.max(0, reader.lastEventId() - backlog);
      while (!Thread.currentThread().isInterrupted()) {
        var page = reader.eventsAfter(cursor, PAGE);
        for (StoreReader.StoredEvent e : page) {
          out.println(line(e));
          cursor = e.id();
        }
        out.flush();
        if (out.checkError()) {
          return; // the reader went away (a closed pipe)
        }
        if (page.size() < PAGE) {
          Thread.sleep(poll.toMillis());
        }
      }
    }
  }

  static String line(StoreReader.StoredEvent e) {
    try {
      return EventLine.format(e.hostname(), Event.parseFrom(e.payload()));
    } catch (InvalidProtocolBufferException ex) {
      return "(unreadable event " + e.id() + ")";
    }
  }
}
