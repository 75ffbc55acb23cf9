package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.fail;

import io.vigil.agent.sensor.EventSink;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.ProcessRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A file sensor on a fake source, a manual clock (windows end only when a test says so), a fake
 * process directory, a capturing sink and a recording listener.
 */
final class Harness implements AutoCloseable {
  static final long DEADLINE_MILLIS = 20_000;

  final FakeSource source;
  final AtomicLong clock = new AtomicLong(5_000_000_000L);
  final AtomicLong wallNs = new AtomicLong(1_700_000_000_000_000_000L);
  final List<Event> events = new CopyOnWriteArrayList<>();
  final Map<Integer, ProcessRef> processes = new ConcurrentHashMap<>();
  final List<String> changed = new CopyOnWriteArrayList<>();
  final List<Optional<ProcessRef>> actors = new CopyOnWriteArrayList<>();
  final AtomicInteger lost = new AtomicInteger();
  final MetricsRegistry metrics = new MetricsRegistry();
  // The budget's detail level the sensor observes (reduce it to test the reduced detail).
  final io.vigil.agent.sensor.DetailLevel detail = new io.vigil.agent.sensor.DetailLevel(metrics);
  volatile WatchPlan plan;
  volatile Consumer<Event.Builder> beforeOffer = e -> {};
  volatile Consumer<Integer> onFind = pid -> {}; // runs in the process lookup
  volatile Duration attributionDelay = Duration.ZERO;
  volatile java.util.function.IntPredicate execPending = pid -> false;
  volatile boolean refuse; // the pipeline's queue is full: offers fail (and are not kept)
  SourceOpener opener;
  FileSensor sensor;

  Harness() {
    this(new FakeSource("fanotify"));
  }

  Harness(FakeSource source) {
    this.source = source;
    this.opener =
        p -> {
          plan = p;
          return new SourceOpener.Opened(source, false, "");
        };
  }

  /**
   * Options watching {@code root/w} and {@code root/home/*}{@code /.ssh}, excluding {@code
   * root/w/cache}, own {@code root/w/own}, opens of {@code root/w/secret}, binaries in {@code
   * root/bin} (both directories are created).
   */
  static FileSensor.Options options(Path root) {
    return options(root, Duration.ofSeconds(1), 20_000, 10, 65_536, 16_384, 64L << 20);
  }

  static FileSensor.Options options(
      Path root,
      Duration window,
      int perSecond,
      int perPath,
      int queue,
      int pending,
      long hashMax) {
    try {
      Files.createDirectories(root.resolve("w"));
      Files.createDirectories(root.resolve("bin"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FileSensor.Options(
        List.of(root + "/w", root + "/home/*/.ssh"),
        List.of(root + "/w/cache"),
        List.of(root + "/w/secret"),
        List.of(root.resolve("w/own")),
        window,
        perSecond,
        perPath,
        queue,
        pending,
        true,
        hashMax,
        List.of(root + "/bin"),
        1000);
  }

  Harness start(FileSensor.Options options) {
    return start(options, ContentHasher.digests(options.hashMaxBytes()), 256);
  }

  Harness start(FileSensor.Options options, ContentHasher hasher, int hashQueue) {
    FileChangeListener listener =
        new FileChangeListener() {
          @Override
          public void changed(String path, Optional<ProcessRef> actor) {
            changed.add(path);
            actors.add(actor);
          }

          @Override
          public void lost() {
            lost.incrementAndGet();
          }
        };
    sensor =
        new FileSensor(
            options,
            opener,
            new io.vigil.agent.sensor.ProcessDirectory() {
              @Override
              public Optional<ProcessRef> find(int pid) {
                onFind.accept(pid);
                return Optional.ofNullable(processes.get(pid));
              }

              @Override
              public boolean execPending(int pid, long recentNanos) {
                return execPending.test(pid);
              }
            },
            listener,
            metrics,
            clock::get,
            hasher,
            hashQueue,
            attributionDelay);
    sensor.reduceAtBudget(detail);
    sensor.start(
        new EventSink() {
          @Override
          public boolean offer(Event.Builder event) {
            beforeOffer.accept(event);
            if (refuse) {
              return false;
            }
            events.add(event.build());
            return true;
          }

          @Override
          public boolean offerOrRefuse(Event.Builder event) {
            return offer(event);
          }
        });
    return this;
  }

  /** A notification stamped with the next wall-clock time. */
  FileNotification n(long mask, int pid, String path) {
    return new FileNotification(mask, pid, path, null, wallNs.incrementAndGet());
  }

  FileNotification rename(int pid, String oldPath, String newPath) {
    return new FileNotification(FileOps.RENAME, pid, newPath, oldPath, wallNs.incrementAndGet());
  }

  List<FileEvent> files() {
    return events.stream().filter(Event::hasFile).map(Event::getFile).toList();
  }

  List<Gap> gaps() {
    return events.stream().filter(Event::hasGap).map(Event::getGap).toList();
  }

  void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  void awaitFiles(int n) {
    await(() -> files().size() >= n, n + " file events, got " + files());
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }

  @Override
  public void close() {
    if (sensor != null) {
      sensor.close();
    }
  }
}
