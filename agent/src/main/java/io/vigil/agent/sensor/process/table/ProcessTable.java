package io.vigil.agent.sensor.process.table;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.ProcessRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The processes of this host by pid, bounded. Exited processes stay for a retention period (so that
 * late audit records, late exits and their children still resolve), then go. When the table is full
 * the exited entries go first (oldest exit first), then the oldest entries. An entry's command line
 * is kept to {@link CommandLines#TABLE_MAX_BYTES}: with the entry bound that keeps the table's heap
 * bounded whatever the processes pass as arguments.
 *
 * <p>Thread-safe: every method takes the table's lock briefly and does no I/O under it. {@link
 * #find} may call the miss loader (a bounded {@code /proc} read) outside the lock.
 */
public final class ProcessTable implements ProcessDirectory {
  /** How long an exited process stays resolvable by default. */
  public static final Duration DEFAULT_EXITED_RETENTION = Duration.ofSeconds(30);

  private final int maxEntries;
  private final long retentionNanos;
  private final LongSupplier monotonicNanos;
  private final IntFunction<Optional<ProcessEntry>> onMiss;

  /** Entries in insertion order: the first is the oldest. */
  private final LinkedHashMap<Integer, ProcessEntry> entries = new LinkedHashMap<>();

  /** Exited pids with the monotonic time they were marked, oldest exit first. */
  private final LinkedHashMap<Integer, Long> exited = new LinkedHashMap<>();

  private long evicted;

  /**
   * @param maxEntries the most entries kept, at least 16
   * @param exitedRetention how long an exited entry stays (if the table is not full before)
   * @param monotonicNanos clock for retention, e.g. {@code System::nanoTime}
   * @param onMiss looks up a pid the table does not know (e.g. from {@code /proc}); a found entry
   *     is added
   */
  public ProcessTable(
      int maxEntries,
      Duration exitedRetention,
      LongSupplier monotonicNanos,
      IntFunction<Optional<ProcessEntry>> onMiss) {
    if (maxEntries < 16) {
      throw new IllegalArgumentException("maxEntries must be at least 16: " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.retentionNanos = exitedRetention.toNanos();
    this.monotonicNanos = monotonicNanos;
    this.onMiss = onMiss;
  }

  @Override
  public Optional<ProcessRef> find(int pid) {
    Optional<ProcessEntry> known = get(pid);
    if (known.isPresent()) {
      return known.map(ProcessEntry::toRef);
    }
    Optional<ProcessEntry> loaded = onMiss.apply(pid);
    loaded.ifPresent(e -> compute(pid, old -> old != null ? old : e));
    return get(pid).map(ProcessEntry::toRef);
  }

  @Override
  public boolean execPending(int pid, long recentNanos) {
    Optional<ProcessEntry> e = get(pid);
    return e.isPresent()
        && !e.get().execSinceFork()
        && WallClock.nowNanos() - e.get().startTimeNs() < recentNanos;
  }

  /** The entry for {@code pid}, running or recently exited. */
  public synchronized Optional<ProcessEntry> get(int pid) {
    expire();
    return Optional.ofNullable(entries.get(pid));
  }

  /** Adds or replaces the entry of {@code entry.pid()}; a replaced entry counts as new. */
  public void put(ProcessEntry entry) {
    compute(entry.pid(), old -> entry);
  }

  /**
   * Replaces the entry of {@code pid} by {@code update(current)} atomically ({@code current} is
   * {@code null} when absent; returning {@code null} removes it). An update of an existing entry
   * keeps its age; an entry that becomes exited starts its retention now. {@code update} must not
   * block. The stored entry's command line is cut to {@link CommandLines#TABLE_MAX_BYTES}.
   *
   * @return the new entry as stored, or {@code null}
   */
  public synchronized ProcessEntry compute(int pid, UnaryOperator<ProcessEntry> update) {
    expire();
    ProcessEntry old = entries.get(pid);
    ProcessEntry next = update.apply(old);
    if (next != null) {
      next = next.withCommandLineBound(CommandLines.TABLE_MAX_BYTES);
    }
    if (next == null) {
      entries.remove(pid);
      exited.remove(pid);
      return null;
    }
    if (old == null || old.startTicks() != next.startTicks()) {
      entries.remove(pid); // a different process: it goes to the young end
    }
    entries.put(pid, next);
    if (!next.exited()) {
      exited.remove(pid);
    } else if (!exited.containsKey(pid)) {
      exited.put(pid, monotonicNanos.getAsLong());
    }
    while (entries.size() > maxEntries) {
      evictOne();
    }
    return next;
  }

  /** Pids of the entries that have not exited, for polling diffs. */
  public synchronized List<ProcessEntry> running() {
    List<ProcessEntry> out = new ArrayList<>(entries.size());
    for (ProcessEntry e : entries.values()) {
      if (!e.exited()) {
        out.add(e);
      }
    }
    return out;
  }

  /** Entries held now, exited ones included. */
  public synchronized int size() {
    expire();
    return entries.size();
  }

  /** Entries removed because the table was full. */
  public synchronized long evicted() {
    return evicted;
  }

  private void evictOne() {
    Iterator<Map.Entry<Integer, Long>> oldestExit = exited.entrySet().iterator();
    if (oldestExit.hasNext()) {
      entries.remove(oldestExit.next().getKey());
      oldestExit.remove();
    } else {
      Iterator<Integer> oldest = entries.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    evicted++;
  }

  private void expire() {
    long now = monotonicNanos.getAsLong();
    Iterator<Map.Entry<Integer, Long>> it = exited.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Integer, Long> e = it.next();
      if (now - e.getValue() < retentionNanos) {
        return; // in exit order: the rest are younger
      }
      entries.remove(e.getKey());
      it.remove();
    }
  }
}
