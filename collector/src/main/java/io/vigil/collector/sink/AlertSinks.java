package io.vigil.collector.sink;

import io.vigil.collector.store.SinkStore;
import io.vigil.common.metrics.MetricsRegistry;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's alert sinks: one {@link SinkLoop} thread per configured sink, each with its own
 * store connection and sender. Thread-safe; {@link #close} stops them all.
 */
public final class AlertSinks implements AutoCloseable {
  /** How often an idle sink looks for new alerts when nothing {@link #wake}s it. */
  public static final Duration POLL = Duration.ofSeconds(1);

  /** How long {@link #close} waits for a sink in the middle of a send to finish it. */
  private static final long STOP_WAIT_MS = 15_000;

  private static final Logger log = LoggerFactory.getLogger(AlertSinks.class);

  private final List<SinkLoop> loops = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  private AlertSinks() {}

  /**
   * Builds every sink's sender and starts its thread. A sender that cannot be built (an unreadable
   * CA file) stops the start, after closing what was built.
   *
   * @param database the collector's database, already migrated
   */
  public static AlertSinks start(
      List<SinkSettings> sinks, Path database, MetricsRegistry metrics, Duration poll) {
    AlertSinks all = new AlertSinks();
    SplittableRandom seeds = new SplittableRandom(new SecureRandom().nextLong());
    try {
      for (SinkSettings s : sinks) {
        AlertSender sender = SenderFactory.create(s.destination());
        SinkStore store;
        try {
          store = SinkStore.open(database);
        } catch (RuntimeException e) {
          closeQuietly(sender);
          throw e;
        }
        SinkLoop loop =
            new SinkLoop(
                s,
                store,
                sender,
                new SinkMetrics(metrics, s.name()),
                new Backoff(s.retryInitial(), s.retryMax(), seeds.split()),
                poll);
        all.loops.add(loop);
        Thread t = new Thread(loop, "vigil-sink-" + s.name());
        t.setDaemon(true);
        all.threads.add(t);
        log.info("alert sink {}: {}", s.name(), sender.describe());
      }
    } catch (RuntimeException e) {
      all.loops.forEach(SinkLoop::close);
      throw e;
    }
    all.threads.forEach(Thread::start);
    return all;
  }

  /** Tells every sink that alerts were stored, so it delivers now rather than at its next poll. */
  public void wake() {
    for (SinkLoop l : loops) {
      l.wake();
    }
  }

  /** How many sinks run. */
  public int size() {
    return loops.size();
  }

  /** Stops every sink after its current attempt and waits for it (bounded). */
  @Override
  public void close() {
    loops.forEach(SinkLoop::stop);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) {
        // A send stuck past its timeout: undelivered alerts stay after the cursor for next start.
        log.warn("{} did not stop in time; interrupting it", t.getName());
        t.interrupt();
      }
    }
  }

  private static void closeQuietly(AlertSender sender) {
    try {
      sender.close();
    } catch (Exception e) {
      log.warn("closing {} failed: {}", sender.describe(), e.toString());
    }
  }
}
