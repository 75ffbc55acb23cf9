package io.vigil.agent.pipeline;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.spool.EventBody;
import io.vigil.agent.spool.LossTally;
import io.vigil.agent.spool.Spool;
import io.vigil.common.lifecycle.EssentialThread;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Gap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded queue between sensors and the spool, and the ONE writer thread that appends to the
 * spool and runs its maintenance.
 *
 * <p>{@link #offer} and {@link #offerOrRefuse} are thread-safe and never block. They serialize the
 * event on the calling (sensor) thread, so the queue holds compact bytes rather than builder trees
 * (a few hundred bytes instead of kilobytes of heap per event) and the single writer thread only
 * copies them into the spool. Events the full queue refuses are counted ({@code
 * vigil_agent_events_dropped_total{reason="queue_full"}}) and the writer appends a {@code
 * Gap(REASON_QUEUE_FULL)} describing them. The queue is full at {@code queueCapacity} events or
 * {@link #DEFAULT_MAX_QUEUE_BYTES} bytes, whichever comes first: event content is attacker-sized,
 * and the byte bound keeps a queue of large events within the agent's small heap. Events larger
 * than {@code maxEventBytes} serialized (seq included) are dropped with reason {@code too_large};
 * {@link #offer} still returns true for them, since retrying would not help.
 *
 * <p>While the agent sheds load to stay within its budget ({@link #shed}), events of the kinds
 * {@link ShedOrder} names for the current tier are dropped before serialization, counted ({@code
 * vigil_agent_events_dropped_total{reason="budget"}}) and described by a {@code
 * Gap(REASON_BUDGET)}; {@link #offer} returns false for them, {@link #offerOrRefuse} true (retrying
 * would not help). While memory is over budget the byte bound of the queue is lowered to {@link
 * #SHED_MAX_QUEUE_BYTES} (that alone drops nothing unless the queue backs up).
 */
public final class Pipeline implements EventSink, AutoCloseable {
  public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;

  /** Heap the queued events may hold (serialized bytes plus ~48 bytes of object overhead each). */
  public static final long DEFAULT_MAX_QUEUE_BYTES = 16L << 20;

  /** The queue's byte bound while memory is over budget. */
  public static final long SHED_MAX_QUEUE_BYTES = 4L << 20;

  private static final int QUEUED_OVERHEAD_BYTES = 48;
  static final int DRAIN_BATCH = 4096;
  static final int MAINTAIN_EVERY_APPENDS = 50_000;
  static final long MAINTAIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final Spool spool;
  private final BlockingQueue<EventBody> queue;
  private final int maxEventBytes;
  private final long maxQueueBytes;
  private volatile long queueBytesLimit;
  private volatile int shedTier = ShedOrder.NONE;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final DropTally queueFullDrops = new DropTally();
  private final DropTally tooLargeDrops = new DropTally();
  private final DropTally spoolErrorDrops = new DropTally();
  private final DropTally budgetDrops = new DropTally();
  private final MetricsRegistry metrics;
  private final Counter produced;
  private final Counter droppedQueueFull;
  private final Counter droppedTooLarge;
  private final Counter droppedClosed;
  private final Counter droppedSpoolError;
  private final Counter droppedBudget;
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong handled = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  public Pipeline(Spool spool, int queueCapacity, MetricsRegistry metrics) {
    this(spool, queueCapacity, metrics, DEFAULT_MAX_EVENT_BYTES);
  }

  public Pipeline(Spool spool, int queueCapacity, MetricsRegistry metrics, int maxEventBytes) {
    this(spool, queueCapacity, metrics, maxEventBytes, DEFAULT_MAX_QUEUE_BYTES);
  }

  Pipeline(
      Spool spool,
      int queueCapacity,
      MetricsRegistry metrics,
      int maxEventBytes,
      long maxQueueBytes) {
    this.maxQueueBytes = maxQueueBytes;
    this.queueBytesLimit = maxQueueBytes;
    this.spool = spool;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.maxEventBytes = maxEventBytes;
    this.metrics = metrics;
    this.produced =
        metrics.counter("vigil_agent_events_produced_total", "Events handed over by sensors.");
    this.droppedQueueFull = dropped("queue_full");
    this.droppedTooLarge = dropped("too_large");
    this.droppedClosed = dropped("closed");
    this.droppedSpoolError = dropped("spool_error");
    this.droppedBudget = dropped("budget");
    this.writer = EssentialThread.create(this::writeLoop, "vigil-spool-writer");
    this.writer.setDaemon(true);
  }

  private Counter dropped(String reason) {
    return metrics.counter(
        "vigil_agent_events_dropped_total", "Events dropped before the spool.", "reason", reason);
  }

  /** Starts the writer thread. Events offered before are queued (up to the capacity). */
  public void start() {
    writer.start();
  }

  @Override
  public boolean offer(Event.Builder event) {
    produced.inc();
    if (closed) {
      droppedClosed.inc();
      return false;
    }
    if (shedForBudget(event, shedTier)) {
      return false;
    }
    if (queue.remainingCapacity() > 0) { // else do not spend a serialization on a certain drop
      EventBody body = EventBody.of(event);
      if (tooLarge(body)) {
        return true;
      }
      if (enqueue(body)) {
        accepted.incrementAndGet();
        return true;
      }
    }
    droppedQueueFull.inc();
    queueFullDrops.add(event);
    return false;
  }

  @Override
  public boolean offerOrRefuse(Event.Builder event) {
    if (closed) {
      return false;
    }
    // One read of the tier: if it changed between the check and the drop, the event would count
    // as produced but be neither stored nor dropped.
    int tier = shedTier;
    if (ShedOrder.sheds(event, tier)) {
      produced.inc();
      shedForBudget(event, tier);
      return true; // dropped and counted: waiting would not bring it in
    }
    if (queue.remainingCapacity() == 0) {
      return false;
    }
    EventBody body = EventBody.of(event);
    if (tooLarge(body)) {
      produced.inc();
      return true;
    }
    if (!enqueue(body)) {
      return false;
    }
    produced.inc();
    accepted.incrementAndGet();
    return true;
  }

  /**
   * Drops and counts the event if shedding at {@code tier} covers it. The caller reads {@link
   * #shedTier} once and passes it, so the decision and the count agree.
   */
  private boolean shedForBudget(Event.Builder event, int tier) {
    if (!ShedOrder.sheds(event, tier)) {
      return false;
    }
    droppedBudget.inc();
    budgetDrops.add(event);
    return true;
  }

  /**
   * Sets how much the pipeline sheds to keep the agent within its budget. Thread-safe; takes effect
   * for the next offer.
   *
   * @param tier {@link ShedOrder#NONE}, {@link ShedOrder#LOW_VALUE} or {@link ShedOrder#MORE}
   * @param lowMemory also bound the queued bytes to {@link #SHED_MAX_QUEUE_BYTES} (events already
   *     queued stay; new ones are refused and counted as {@code queue_full} above the bound)
   */
  public void shed(int tier, boolean lowMemory) {
    shedTier = tier;
    queueBytesLimit = lowMemory ? Math.min(maxQueueBytes, SHED_MAX_QUEUE_BYTES) : maxQueueBytes;
  }

  /** Events dropped to stay within the budget since start. */
  public long shedCount() {
    return droppedBudget.get();
  }

  /**
   * Queues the event if both bounds allow. An empty queue always takes one event (it is at most
   * {@code maxEventBytes}), so a large event cannot be refused forever.
   */
  private boolean enqueue(EventBody body) {
    int size = queuedSize(body);
    long after = queuedBytes.addAndGet(size);
    if ((after > queueBytesLimit && after != size) || !queue.offer(body)) {
      queuedBytes.addAndGet(-size);
      return false;
    }
    return true;
  }

  private static int queuedSize(EventBody body) {
    return body.body().length + QUEUED_OVERHEAD_BYTES;
  }

  /**
   * Counts and drops an event too large to spool. Bounded by the largest seq field, so that the
   * event with its seq stays within {@code maxEventBytes}, which the collector enforces too.
   */
  private boolean tooLarge(EventBody body) {
    if (body.body().length + EventBody.MAX_SEQ_FIELD_BYTES > maxEventBytes) {
      droppedTooLarge.inc();
      tooLargeDrops.add(body);
      return true;
    }
    return false;
  }

  /**
   * Waits until every event accepted so far has been handled by the writer (spooled or dropped).
   *
   * @return false on timeout
   */
  public boolean awaitDrained(Duration timeout) throws InterruptedException {
    long target = accepted.get();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (handled.get() < target) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(1);
    }
    return true;
  }

  private void writeLoop() {
    List<EventBody> batch = new ArrayList<>(DRAIN_BATCH);
    long lastMaintain = System.nanoTime();
    long appendsSinceMaintain = 0;
    while (true) {
      try {
        EventBody first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, DRAIN_BATCH - 1);
        }
      } catch (InterruptedException e) {
        // close() interrupts only after setting closed; the final drain happens below
      }
      long dequeuedBytes = 0;
      for (EventBody event : batch) {
        appendsSinceMaintain += write(event);
        dequeuedBytes += queuedSize(event);
      }
      queuedBytes.addAndGet(-dequeuedBytes);
      handled.addAndGet(batch.size());
      batch.clear();
      writeDropGap();
      long now = System.nanoTime();
      if (appendsSinceMaintain >= MAINTAIN_EVERY_APPENDS
          || now - lastMaintain >= MAINTAIN_INTERVAL_NANOS) {
        maintain();
        lastMaintain = now;
        appendsSinceMaintain = 0;
      }
      if (closed && queue.isEmpty()) {
        maintain();
        return;
      }
    }
  }

  private int write(EventBody event) {
    try {
      spool.append(event);
      return 1;
    } catch (RuntimeException e) {
      droppedSpoolError.inc();
      spoolErrorDrops.add(event);
      log.error("cannot spool event; dropped", e);
      return 0;
    }
  }

  /** Every event dropped before the spool is reported downstream in a Gap, by reason. */
  private void writeDropGap() {
    writeDropGap(queueFullDrops, Gap.Reason.REASON_QUEUE_FULL);
    writeDropGap(tooLargeDrops, Gap.Reason.REASON_TOO_LARGE);
    writeDropGap(spoolErrorDrops, Gap.Reason.REASON_SPOOL_WRITE_FAILED);
    writeDropGap(budgetDrops, Gap.Reason.REASON_BUDGET);
  }

  private void writeDropGap(DropTally tally, Gap.Reason reason) {
    LossTally drops = tally.take();
    if (!drops.isEmpty()) {
      write(EventBody.of(drops.toGapEvent(reason, "pipeline")));
    }
  }

  private void maintain() {
    try {
      spool.maintain();
    } catch (Exception e) {
      log.error("spool maintenance failed", e);
    }
  }

  /**
   * Stops accepting events, writes everything queued into the spool, and stops the writer. Does not
   * close the spool. Blocks until the writer has finished.
   */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    if (writer.isAlive()) {
      writer.join();
    } else if (writer.getState() == Thread.State.NEW) {
      writer.start(); // never started: run it once to drain what was queued
      writer.join();
    }
    // An offer racing with close may have slipped in after the writer's last look.
    List<EventBody> stranded = new ArrayList<>();
    queue.drainTo(stranded);
    droppedClosed.add(stranded.size());
    handled.addAndGet(stranded.size());
  }
}
