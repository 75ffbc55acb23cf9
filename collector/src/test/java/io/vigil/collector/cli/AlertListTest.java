package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.StreamRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AlertListTest {
  @TempDir Path dir;

  private static void storeAlert(EventStore store, StreamRef s, long seq, String title) {
    store.events().insertEvent(s.streamId(), seq, 10, seq, seq, new byte[0]);
    store
        .alerts()
        .insert(
            "agent-a",
            s.streamId(),
            seq,
            10,
            seq,
            seq,
            new NewAlert("r", title, "high", "[]", "{}", "/rules/r.yml"));
    store.commit();
  }

  private static List<String> lines(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  @Timeout(120) // generous for a busy 2-core machine; only a hang reaches it
  void followPrintsTheBacklogThenEachAlertAsItIsStored() throws Exception {
    Path db = dir.resolve("vigil.db");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (EventStore store = EventStore.open(db)) {
      StreamRef s = store.events().stream("agent-a", "e1", 1);
      storeAlert(store, s, 1, "old one");
      storeAlert(store, s, 2, "old two");
      PrintStream printer = new PrintStream(out, true, StandardCharsets.UTF_8);
      Thread follower =
          new Thread(
              () -> {
                try {
                  new AlertList(db, printer).follow(1, Duration.ofMillis(20));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      follower.start();
      try {
        waitForLines(out, 1);
        storeAlert(store, s, 3, "new three");
        waitForLines(out, 2);
      } finally {
        follower.interrupt();
        follower.join();
      }
    }
    List<String> shown = lines(out);
    assertEquals(2, shown.size(), shown.toString());
    assertTrue(shown.get(0).contains("old two"), shown.get(0));
    assertTrue(shown.get(1).contains("new three"), shown.get(1));
  }

  /** Waits without a deadline of its own: the test's {@code @Timeout} bounds a hang. */
  private static void waitForLines(ByteArrayOutputStream out, int n) throws InterruptedException {
    while (lines(out).size() < n) {
      Thread.sleep(10);
    }
  }
}
