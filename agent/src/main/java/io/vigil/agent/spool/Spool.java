package io.vigil.agent.spool;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The agent's durable, append-only event spool on Chronicle Queue.
 *
 * <p>Every appended event gets the next seq of this spool's stream epoch (1, 2, 3, ...). Readers
 * ({@link SpoolReader}) lease entries; the shipper {@link #commit commits} what the collector
 * acknowledged; {@link #maintain} enforces the disk cap and retention and records lost,
 * unacknowledged events as a {@code Gap}.
 *
 * <p>Threads: {@link #append} and {@link #maintain} belong to ONE writer thread (the pipeline's).
 * {@link #commit} may be called from another thread (the shipper). Getters, {@link #openReader} and
 * {@link #findLast} are thread-safe. {@link #close} after the writer has stopped.
 */
public final class Spool implements AutoCloseable {
  static {
    ChronicleSettings.apply();
  }

  /** How far back {@link #findLast} looks. */
  static final int FIND_LAST_LIMIT = 100_000;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private final SpoolOptions options;
  private final String epoch;
  private final SingleChronicleQueue queue;
  private final CycleIndex cycles;
  private final CommitPosition committed;
  private final Counter spooled;
  private final SpoolMaintenance maintenance;
  private volatile long lastSeq;
  private volatile long deletions;
  private ExcerptAppender appender; // writer thread only, created there
  private int appendCycle = Integer.MIN_VALUE; // writer thread only

  private Spool(SpoolOptions options, String epoch, SingleChronicleQueue queue, MetricsRegistry m)
      throws IOException {
    this.options = options;
    this.epoch = epoch;
    this.queue = queue;
    this.cycles = new CycleIndex(queue.rollCycle(), queue.epoch());
    this.committed = CommitPosition.load(options.dir(), epoch);
    this.spooled = m.counter("vigil_agent_events_spooled_total", "Events appended to the spool.");
    this.maintenance = new SpoolMaintenance(this, m);
    recover();
    m.gauge("vigil_agent_spool_last_seq", "Highest seq in the spool.", () -> lastSeq);
    m.gauge("vigil_agent_spool_committed_seq", "Highest acknowledged seq.", () -> committed.get());
  }

  /**
   * Opens (or creates) the spool in {@code options.dir()}, which gets mode 0700, and recovers the
   * stream epoch, last seq and committed position.
   */
  public static Spool open(SpoolOptions options, MetricsRegistry metrics) throws IOException {
    Path dir = options.dir();
    if (Files.isDirectory(dir)) {
      if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
      }
    } else {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.setPosixFilePermissions(dir, OWNER_ONLY); // the umask may have narrowed it
    }
    String epoch = StreamEpoch.loadOrCreate(dir);
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(dir.toFile())
            .rollCycle(options.chronicleRollCycle())
            .build();
    try {
      return new Spool(options, epoch, queue, metrics);
    } catch (IOException | RuntimeException e) {
      queue.close();
      throw e;
    }
  }

  /** Builds the cycle index and finds the last seq (never below the committed one). */
  private void recover() {
    long last = 0;
    try (ExcerptTailer tailer = queue.createTailer()) {
      for (int c : cycleFiles()) {
        if (tailer.moveToCycle(c)) {
          try (DocumentContext dc = tailer.readingDocument()) {
            if (dc.isPresent() && cycles.cycleOf(dc.index()) == c) {
              long seq = dc.wire().bytes().readLong();
              cycles.add(new CycleIndex.Start(c, seq, dc.index()));
            }
          }
        }
      }
      tailer.direction(TailerDirection.BACKWARD).toEnd();
      try (DocumentContext dc = tailer.readingDocument()) {
        if (dc.isPresent()) {
          last = dc.wire().bytes().readLong();
        }
      }
    }
    lastSeq = Math.max(last, committed.get());
  }

  /** This spool's stream epoch (a UUID string); a wiped directory gets a new one. */
  public String epoch() {
    return epoch;
  }

  /** Highest seq appended so far (0 when none). */
  public long lastSeq() {
    return lastSeq;
  }

  /** Highest seq acknowledged by the collector; never goes backwards. */
  public long committedSeq() {
    return committed.get();
  }

  public SpoolOptions options() {
    return options;
  }

  /**
   * Appends an event: sets its {@code seq} to the next one, serializes it and writes it. Writer
   * thread only. See {@link #append(EventBody)}.
   *
   * @return the seq assigned
   */
  public long append(Event.Builder event) {
    long seq = append(EventBody.of(event));
    event.setSeq(seq);
    return seq;
  }

  /**
   * Appends an already serialized event under the next seq. Writer thread only. The entry is in the
   * OS page cache when this returns, so it survives a crash of this process (not a power loss).
   *
   * @return the seq assigned
   */
  public long append(EventBody event) {
    if (appender == null) {
      appender = queue.createAppender();
    }
    long seq = lastSeq + 1;
    DocumentContext dc = appender.writingDocument();
    try {
      EntryCodec.write(dc.wire().bytes(), seq, event);
    } catch (RuntimeException | Error e) {
      dc.rollbackOnClose();
      throw e;
    } finally {
      dc.close();
    }
    long index = appender.lastIndexAppended();
    int cycle = cycles.cycleOf(index);
    if (cycle != appendCycle) {
      cycles.add(new CycleIndex.Start(cycle, seq, index));
      appendCycle = cycle;
    }
    lastSeq = seq;
    spooled.inc();
    return seq;
  }

  /**
   * Records that the collector holds every event up to {@code ackedSeq}. Cheap: the position file
   * is rewritten at most every 100 ms here, and also by {@link #maintain} and {@link #close}.
   *
   * @throws IllegalArgumentException when {@code ackedSeq} is beyond {@link #lastSeq()}
   */
  public void commit(long ackedSeq) {
    if (ackedSeq > lastSeq) {
      throw new IllegalArgumentException(
          "ack " + ackedSeq + " beyond last spooled seq " + lastSeq + " of epoch " + epoch);
    }
    committed.advance(ackedSeq);
  }

  /** A new reader positioned at the start of the spool; see {@link SpoolReader} for threads. */
  public SpoolReader openReader() {
    return new SpoolReader(this);
  }

  /**
   * Enforces retention and the disk cap (see {@link SpoolMaintenance}), writes out the committed
   * position, and updates the spool-size gauge. Writer thread only; may append a {@code Gap}.
   */
  public void maintain() throws IOException {
    committed.flush();
    maintenance.run();
  }

  /** Allocated bytes of the spool directory as of the last {@link #maintain} or open. */
  public long allocatedBytes() {
    return maintenance.allocatedBytes();
  }

  /**
   * The newest event matching {@code predicate} among the last {@value #FIND_LAST_LIMIT} entries.
   * Thread-safe; uses its own tailer.
   */
  public Optional<Event> findLast(Predicate<Event> predicate) {
    try (ExcerptTailer tailer = queue.createTailer()) {
      tailer.direction(TailerDirection.BACKWARD).toEnd();
      for (int i = 0; i < FIND_LAST_LIMIT; i++) {
        try (DocumentContext dc = tailer.readingDocument()) {
          if (!dc.isPresent()) {
            return Optional.empty();
          }
          Event event = parse(EntryCodec.read(dc.wire().bytes()));
          if (event != null && predicate.test(event)) {
            return Optional.of(event);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static Event parse(SpooledEvent entry) {
    try {
      return Event.parseFrom(entry.bytes());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return null; // a damaged entry cannot match; the shipper dead-letters it downstream
    }
  }

  /** Writes out the committed position and closes the queue. */
  @Override
  public void close() {
    try {
      committed.flush();
    } finally {
      queue.close(); // also closes the appender and any tailers left open
    }
  }

  // ---- for SpoolReader and SpoolMaintenance ----

  SingleChronicleQueue queue() {
    return queue;
  }

  CycleIndex cycles() {
    return cycles;
  }

  /** Cycles that have a file, oldest first (after the last directory-listing refresh). */
  List<Integer> cycleFiles() {
    int first = queue.firstCycle();
    int last = queue.lastCycle();
    List<Integer> out = new ArrayList<>();
    if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE || first > last) {
      return out; // an empty queue
    }
    for (long c : queue.listCyclesBetween(first, last)) {
      out.add((int) c);
    }
    return out;
  }

  /** Counts cycle deletions, so that readers know to re-position. */
  long deletions() {
    return deletions;
  }

  void cyclesDeleted() {
    deletions++; // written by the writer thread only
  }
}
