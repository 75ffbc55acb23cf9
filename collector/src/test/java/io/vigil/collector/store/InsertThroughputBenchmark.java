package io.vigil.collector.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Random;

/**
 * Measures event insert throughput of {@link EventStore} for the numbers in ADR 0001. Not a test:
 * run its main with the test classpath. Arguments: rows, rows per transaction, payload bytes,
 * "index" or "noindex".
 */
public final class InsertThroughputBenchmark {
  private InsertThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = Integer.parseInt(args[0]);
    int perTx = Integer.parseInt(args[1]);
    int payloadBytes = Integer.parseInt(args[2]);
    boolean index = args[3].equals("index");
    Path dir = Files.createTempDirectory("vigil-bench");
    Path file = dir.resolve("events.db");
    byte[] payload = new byte[payloadBytes];
    new Random(1).nextBytes(payload);
    if (!index) {
      EventStore.open(file).close(); // creates the schema
      try (Connection c = SqliteFiles.openWriter(file);
          Statement st = c.createStatement()) {
        st.execute("DROP INDEX events_stream_seq");
      }
    }
    try (EventStore store = EventStore.open(file)) {
      long streamId =
          store.events().stream("agent-0000-0000-0000-000000000000", "epoch-1", 1).streamId();
      store.commit();
      long start = System.nanoTime();
      for (int i = 1; i <= rows; i++) {
        store.events().insertEvent(streamId, i, 10, i, i, payload);
        if (i % perTx == 0) {
          store.events().setWatermark(streamId, i);
          store.commit();
        }
      }
      store.commit();
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "%d rows of %d B, %d per tx, %s: %.2f s, %.0f rows/s, file %d MiB%n",
          rows,
          payloadBytes,
          perTx,
          index ? "unique index" : "no index",
          secs,
          rows / secs,
          Files.size(file) >> 20);
    }
  }
}
