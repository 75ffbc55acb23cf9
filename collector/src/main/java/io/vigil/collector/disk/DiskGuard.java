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
 * Refuses event batches while the store's filesystem is nearly full, with hysteresis: refusing
 * starts when usable space falls below {@link DiskOptions#minFreeBytes} and stops when it is back
 * at or above {@link DiskOptions#resumeFreeBytes}. Measured before every batch ({@link #refusal})
 * and by {@link DiskWatch} every interval; the space below the minimum is headroom for what is
 * still written (stream openings, command results, alerts, operator calls, the WAL checkpoint).
 *
 * <p>Thread-safe: measurements come from gRPC threads and the watch thread; state changes are
 * serialized.
 */
public final class DiskGuard implements BatchGate, HealthCheck {
  private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);

  private final FreeSpace space;
  private final String where;
  private final DiskOptions options;
  private volatile long freeBytes = -1;
  private volatile boolean refusing;
  private volatile String failure = "";
  private final Counter episodes;

  /**
   * @param where the directory measured, for messages
   */
  public DiskGuard(FreeSpace space, String where, DiskOptions options, MetricsRegistry metrics) {
    this.space = space;
    this.where = where;
    this.options = options;
    metrics.gauge(
        "vigil_collector_disk_free_bytes",
        "Usable bytes on the filesystem of the collector's database",
        () -> freeBytes);
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

  /** Measures free space now and updates the state; returns whether batches are refused. */
  public boolean measure() {
    long free;
    try {
      free = space.usableBytes();
      failure = "";
    } catch (IOException | RuntimeException e) {
      // Keep the last state: an unreadable statvfs is no reason to start or stop refusing.
      if (failure.isEmpty()) {
        log.warn("cannot measure free space on {}: {}", where, e.toString());
      }
      failure = e.toString();
      return refusing;
    }
    freeBytes = free;
    if (refusing ? free < options.resumeFreeBytes() : free >= options.minFreeBytes()) {
      return refusing; // the common case, without the lock
    }
    synchronized (this) {
      if (!refusing && free < options.minFreeBytes()) {
        refusing = true;
        episodes.inc();
        log.error("{}", message(free));
      } else if (refusing && free >= options.resumeFreeBytes()) {
        refusing = false;
        log.warn(
            "collector storage has {} free on {} again (store.resume_free_bytes {}):"
                + " accepting event batches",
            human(free),
            where,
            Units.formatBytes(options.resumeFreeBytes()));
      }
      return refusing;
    }
  }

  /** Whether batches are refused now (as last measured). */
  public boolean refusing() {
    return refusing;
  }

  /** Usable bytes as last measured (-1 before a first measurement succeeded). */
  public long freeBytes() {
    return freeBytes;
  }

  /** The directory measured. */
  public String where() {
    return where;
  }

  public DiskOptions options() {
    return options;
  }

  @Override
  public Optional<IngestRefusedException> refusal() {
    if (!measure()) {
      return Optional.empty();
    }
    return Optional.of(new IngestRefusedException("disk_full", message(freeBytes)));
  }

  /** The sentence agents and the log are told while refusing. */
  String message(long free) {
    return "collector storage nearly full: "
        + human(free)
        + " free on "
        + where
        + ", below store.min_free_bytes "
        + Units.formatBytes(options.minFreeBytes())
        + "; keep spooling, retrying";
  }

  /** Bytes for a person: 83.9 MiB. */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[i]);
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
    d.put("min_free_bytes", options.minFreeBytes());
    d.put("resume_free_bytes", options.resumeFreeBytes());
    d.put("refusing", refusing);
    if (!failure.isEmpty()) {
      d.put("error", failure);
    }
    return new Result(!refusing, d);
  }
}
