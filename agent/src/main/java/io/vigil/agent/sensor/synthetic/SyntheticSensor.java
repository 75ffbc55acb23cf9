package io.vigil.agent.sensor.synthetic;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.Sensor;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.SensorState;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator for tests, benchmarks and the quickstart: emits numbered, realistic events
 * {@code startAfter+1 .. count} on its own daemon thread.
 *
 * <p>Unlike a real sensor it waits when the sink refuses (via {@link EventSink#offerOrRefuse}) and
 * retries the same event, so a run produces every number exactly once. Event {@code n} is the same
 * for a given seed whatever {@code startAfter} was, so a resumed run continues the same sequence.
 * Thread-safe getters; {@link #start} once.
 */
public final class SyntheticSensor implements Sensor {
  /**
   * What to generate.
   *
   * @param ratePerSecond target events per second; 0 for as fast as the sink accepts
   * @param count number of the last event (absolute); 0 for no end
   * @param mix relative weights per kind (only {@link SyntheticEvents#KINDS}); empty for a default
   * @param seed makes the content reproducible
   * @param startAfter the first event is number {@code startAfter + 1}
   */
  public record Options(
      double ratePerSecond, long count, Map<EventKind, Integer> mix, long seed, long startAfter) {
    public Options {
      if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
        throw new IllegalArgumentException("ratePerSecond must be >= 0: " + ratePerSecond);
      }
      if (count < 0 || startAfter < 0) {
        throw new IllegalArgumentException("count and startAfter must be >= 0");
      }
      mix = Map.copyOf(mix);
      for (Map.Entry<EventKind, Integer> e : mix.entrySet()) {
        if (!SyntheticEvents.KINDS.contains(e.getKey()) || e.getValue() < 0) {
          throw new IllegalArgumentException(
              "bad mix entry " + e + "; kinds " + SyntheticEvents.KINDS);
        }
      }
    }
  }

  static final long REFUSED_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Options options;
  private final KindPicker kinds;
  private final Thread thread;
  private volatile EventSink sink;
  private volatile long lastNumber;
  private volatile boolean finished;
  private volatile boolean stopping;

  public SyntheticSensor(Options options) {
    this.options = options;
    this.kinds = new KindPicker(options.mix().isEmpty() ? defaultMix() : options.mix());
    this.lastNumber = options.startAfter();
    this.thread = new Thread(this::run, "vigil-sensor-synthetic");
    this.thread.setDaemon(true);
  }

  private static Map<EventKind, Integer> defaultMix() {
    Map<EventKind, Integer> mix = new EnumMap<>(EventKind.class);
    mix.put(EventKind.EVENT_KIND_PROCESS_EXEC, 30);
    mix.put(EventKind.EVENT_KIND_PROCESS_EXIT, 25);
    mix.put(EventKind.EVENT_KIND_CONNECTION, 20);
    mix.put(EventKind.EVENT_KIND_FILE, 15);
    mix.put(EventKind.EVENT_KIND_DNS, 10);
    return mix;
  }

  @Override
  public String name() {
    return SyntheticEvents.SENSOR;
  }

  @Override
  public void start(EventSink sink) {
    this.sink = sink;
    thread.start();
  }

  /** Number of the last event the sink accepted ({@code startAfter} before the first). */
  public long lastNumber() {
    return lastNumber;
  }

  /** True once event {@code count} was accepted (never for an unbounded run). */
  public boolean finished() {
    return finished;
  }

  @Override
  public SensorState state() {
    return SensorState.newBuilder()
        .setName(name())
        .setSource(SyntheticEvents.SENSOR)
        .setDegraded(false)
        .setReason("generated load")
        .build();
  }

  private void run() {
    long startNanos = System.nanoTime();
    long emitted = 0;
    long n = options.startAfter();
    while (!stopping && (options.count() == 0 || n < options.count())) {
      pace(startNanos, emitted);
      n++;
      SplittableRandom random = SyntheticEvents.randomFor(options.seed(), n);
      Event.Builder event = SyntheticEvents.create(n, kinds.pick(random), random, nowNs());
      while (!sink.offerOrRefuse(event)) {
        if (stopping) {
          return;
        }
        LockSupport.parkNanos(REFUSED_BACKOFF_NANOS);
      }
      lastNumber = n;
      emitted++;
    }
    finished = options.count() != 0 && n >= options.count();
  }

  /** Sleeps until event {@code emitted} (0-based) is due at the configured rate. */
  private void pace(long startNanos, long emitted) {
    if (options.ratePerSecond() == 0) {
      return;
    }
    long due = startNanos + (long) (emitted * 1e9 / options.ratePerSecond());
    long wait;
    while (!stopping && (wait = due - System.nanoTime()) > 0) {
      // parkNanos oversleeps by tens of µs; pacing against the start time absorbs that.
      LockSupport.parkNanos(wait);
    }
  }

  private static long nowNs() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public void close() {
    stopping = true;
    LockSupport.unpark(thread);
    if (thread.isAlive()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
