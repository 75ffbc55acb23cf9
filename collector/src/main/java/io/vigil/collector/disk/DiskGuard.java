package io.vigil.collector.disk;

import io.vigil.collector.ingest.BatchGate;
import io.vigil.collector.ingest.IngestRefusedException;
import io.vigil.common.config.Units;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.HealthCheck;
import io.vigil.common.metrics.MetricsRegistry;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses event batches while the store is nearly out of space, with hysteresis. The space counted
 * for new events is the filesystem's usable space plus the database's free pages ({@link
 * FreePages}): SQLite fills those before it grows the file, so events deleted by retention make
 * room even though the file never shrinks, and a disk the database itself filled recovers.
 *
 * <p>Refusing starts when that space falls below {@link DiskOptions#minFreeBytes}, or when the
 * filesystem alone falls below a quarter of it (the WAL, the other files and SQLite's temporary
 * files grow on the filesystem, not in free pages); it stops when the space is back at or above
 * {@link DiskOptions#resumeFreeBytes} and the filesystem alone at or above a quarter of that. The
 * space below the minimum is headroom for what is still written (stream openings, command results,
 * alerts, operator calls, the WAL checkpoint).
 *
 * <p>Only {@link #measure} measures (at construction, then {@link DiskWatch} every interval, on its
 * own thread); {@link #refusal}, called for every batch on gRPC threads, returns the last state
 * without any I/O. Thread-safe: measurements are serialized, the state is published through
 * volatile fields.
 */
public final class DiskGuard implements BatchGate, HealthCheck {
  private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);

  private final FreeSpace space;
  private final FreePages pages;
  private final String where;
  private final DiskOptions options;
  private volatile long freeBytes = -1;
  private volatile long freePageBytes;
  private volatile boolean refusing;
  private volatile String refusalMessage = "";
  private volatile String failure = "";
  private final Counter episodes;

  /** Counting the filesystem only (no database free pages). */
  public DiskGuard(FreeSpace space, String where, DiskOptions options, MetricsRegistry metrics) {
    this(space, FreePages.NONE, where, options, metrics);
  }

  /**
   * Measures once now.
   *
   * @param pages the database's free pages, counted as space for new events
   * @param where the directory measured, for messages
   */
  public DiskGuard(
      FreeSpace space,
      FreePages pages,
      String where,
      DiskOptions options,
      MetricsRegistry metrics) {
    this.space = space;
    this.pages = pages;
    this.where = where;
    this.options = options;
    metrics.gauge(
        "vigil_collector_disk_free_bytes",
        "Usable bytes on the filesystem of the collector's database",
        () -> freeBytes);
    metrics.gauge(
        "vigil_collector_store_free_page_bytes",
        "Bytes of the database's free pages (reused for new rows before the file grows)",
        () -> freePageBytes);
    metrics.gauge(
        "vigil_collector_disk_refusing",
        "1 while event batches are refused because the store's disk is nearly full",
        () -> refusing ? 1 : 0);
    episodes =
        metrics.counter(
            "vigil_collector_disk_full_episodes_total",
            "Times the collector started refusing batches for lack of disk space");
    measure();
  }

  /**
   * Measures the filesystem and the database's free pages now and updates the state; returns
   * whether batches are refused. Blocks on statvfs and a database header read: call it from a
   * background thread, never per batch.
   */
  public synchronized boolean measure() {
    long free;
    try {
      free = space.usableBytes();
    } catch (IOException | RuntimeException e) {
      // Keep the last state: an unreadable statvfs is no reason to start or stop refusing.
      if (failure.isEmpty()) {
        log.warn("cannot measure free space on {}: {}", where, e.toString());
      }
      failure = e.toString();
      return refusing;
    }
    long inFile;
    try {
      inFile = Math.max(0, pages.bytes());
      failure = "";
    } catch (RuntimeException e) {
      // Counting none refuses sooner, never later, than the truth.
      if (failure.isEmpty()) {
        log.warn("cannot read the database's free pages: {}", e.toString());
      }
      failure = e.toString();
      inFile = 0;
    }
    freeBytes = free;
    freePageBytes = inFile;
    long available = saturatedAdd(free, inFile);
    if (!refusing && (available < options.minFreeBytes() || free < options.minFreeBytes() / 4)) {
      refusalMessage = message(free, inFile);
      refusing = true;
      episodes.inc();
      log.error("{}", refusalMessage);
    } else if (refusing) {
      if (available >= options.resumeFreeBytes() && free >= options.resumeFreeBytes() / 4) {
        refusing = false;
        log.warn(
            "collector storage has {} free on {} and {} of free pages in the database again"
                + " (store.resume_free_bytes {}): accepting event batches",
            Units.formatBytes(free),
            where,
            Units.formatBytes(inFile),
            Units.formatBytes(options.resumeFreeBytes()));
      } else {
        refusalMessage = message(free, inFile);
      }
    }
    return refusing;
  }

  /** Whether batches are refused now (as last measured). */
  public boolean refusing() {
    return refusing;
  }

  /** Usable bytes of the filesystem as last measured (-1 before a first measurement succeeded). */
  public long freeBytes() {
    return freeBytes;
  }

  /** Bytes of the database's free pages as last measured. */
  public long freePageBytes() {
    return freePageBytes;
  }

  /** The directory measured. */
  public String where() {
    return where;
  }

  public DiskOptions options() {
    return options;
  }

  /** The last measured state: no I/O, no lock (the gate's contract: quick, never blocking). */
  @Override
  public Optional<IngestRefusedException> refusal() {
    if (!refusing) {
      return Optional.empty();
    }
    return Optional.of(new IngestRefusedException("disk_full", refusalMessage));
  }

  /** The sentence agents and the log are told while refusing. */
  String message(long free, long inFile) {
    String sentence =
        "collector storage nearly full: "
            + Units.formatBytes(free)
            + " free on "
            + where
            + " and "
            + Units.formatBytes(inFile)
            + " of free pages in the database";
    if (saturatedAdd(free, inFile) < options.minFreeBytes()) {
      sentence += ", below store.min_free_bytes " + Units.formatBytes(options.minFreeBytes());
    } else if (free < options.minFreeBytes() / 4) {
      sentence +=
          "; the filesystem alone is below a quarter of store.min_free_bytes "
              + Units.formatBytes(options.minFreeBytes());
    } else {
      sentence +=
          ", not yet back at store.resume_free_bytes "
              + Units.formatBytes(options.resumeFreeBytes())
              + " (and a quarter of it on the filesystem alone)";
    }
    return sentence + "; keep spooling, retrying";
  }

  /**
   * Bytes for a person: {@link Units#formatBytes}, the one byte formatter (DiskWatch calls this).
   */
  static String human(long bytes) {
    return Units.formatBytes(bytes);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  @Override
  public String name() {
    return "disk";
  }

  @Override
  public Result check() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("path", where);
    d.put("free_bytes", freeBytes);
    d.put("free_page_bytes", freePageBytes);
    d.put("min_free_bytes", options.minFreeBytes());
    d.put("resume_free_bytes", options.resumeFreeBytes());
    d.put("refusing", refusing);
    if (!failure.isEmpty()) {
      d.put("error", failure);
    }
    return new Result(!refusing, d);
  }
}
