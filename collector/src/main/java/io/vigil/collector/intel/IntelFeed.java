package io.vigil.collector.intel;

import io.vigil.collector.config.IntelSection;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.detect.intel.IndicatorSet;
import io.vigil.detect.intel.IndicatorType;
import io.vigil.detect.intel.IntelLoad;
import io.vigil.detect.intel.IntelLoader;
import io.vigil.detect.intel.SourceReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's current threat-intel indicators. Loaded at start; then, every {@code
 * reload_interval}, the files' sizes and modification times are compared with the last load and a
 * change loads a new set, swapped in atomically. A reload in which a file that exists cannot be
 * read (broken JSON, too large, unreadable) keeps the previous set, so a feed caught half-written
 * never empties the indicators; a configured path that does not exist is a warning (feeds are often
 * synced by cron and may appear later) and is checked again.
 *
 * <p>Thread-safe: {@link #current()} may be called from any thread at any time; reloads run on one
 * daemon thread (or the caller of {@link #reloadIfChanged()}) and are serialised.
 */
public final class IntelFeed implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IntelFeed.class);

  /** Feed text in log lines is bounded: it is third-party content. */
  private static final int LINE_MAX = 1000;

  /** Skipped-entry examples logged per file; the report keeps more. */
  private static final int EXAMPLES_LOGGED = 3;

  private final List<Path> paths;
  private final Counter reloads;
  private final Counter failures;
  private volatile IndicatorSet current = IndicatorSet.empty();
  private FileFingerprint loaded = new FileFingerprint(List.of()); // guarded by this

  /** What the last failed reload said, so that a lasting failure is logged once. */
  private String lastFailure; // guarded by this

  private ScheduledExecutorService scheduler;

  private IntelFeed(List<Path> paths, MetricsRegistry metrics) {
    this.paths = paths;
    this.reloads =
        metrics.counter(
            "vigil_collector_intel_reloads_total",
            "Indicator sets loaded after a change to the intel files");
    this.failures =
        metrics.counter(
            "vigil_collector_intel_reload_failures_total",
            "Changes to the intel files not loaded because a file could not be read (the previous"
                + " indicators stay)");
    for (IndicatorType t : IndicatorType.values()) {
      metrics.gauge(
          "vigil_collector_intel_indicators",
          "Threat-intel indicators being matched, by type",
          () -> current.countsByType().getOrDefault(t, 0),
          "type",
          t.name().toLowerCase(Locale.ROOT));
    }
  }

  /**
   * Loads the indicators of {@code section} (blocking on the file reads), registers the metrics
   * and, when {@code reload_interval} is not zero, starts checking for changes.
   */
  public static IntelFeed start(IntelSection section, MetricsRegistry metrics) {
    IntelFeed feed = new IntelFeed(section.paths(), metrics);
    if (section.paths().isEmpty()) {
      log.info("intel: no indicator files configured (intel.paths)");
      return feed;
    }
    feed.loadInitial();
    Duration every = section.reloadInterval();
    if (!every.isZero()) {
      feed.scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "intel-reload");
                t.setDaemon(true);
                return t;
              });
      long ms = Math.max(1, every.toMillis());
      feed.scheduler.scheduleWithFixedDelay(feed::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      log.info("intel: intel.reload_interval is 0, indicator files are read once");
    }
    return feed;
  }

  /** The indicators to match now. */
  public IndicatorSet current() {
    return current;
  }

  /**
   * Loads the files again when they changed since the last load; true when a new set was swapped
   * in. Blocks on the file reads.
   */
  public synchronized boolean reloadIfChanged() {
    FileFingerprint now = FileFingerprint.of(paths);
    if (now.equals(loaded)) {
      return false;
    }
    IntelLoad load = IntelLoader.load(paths);
    List<SourceReport> broken = load.failures().stream().filter(r -> !r.missing()).toList();
    if (!broken.isEmpty()) {
      // Checked again next time even if nothing changes: fixing a file's permissions changes
      // neither its size nor its mtime. Said once per distinct failure, not every interval.
      loaded = null;
      String failure = broken.stream().map(SourceReport::summary).toList().toString();
      if (!failure.equals(lastFailure)) {
        lastFailure = failure;
        logReports(load, "reload");
        failures.inc();
        log.warn(
            "intel: reload not applied, {} file(s) could not be read; still matching the previous"
                + " {} indicators",
            broken.size(),
            current.size());
      }
      return false;
    }
    loaded = now;
    lastFailure = null;
    logReports(load, "reload");
    current = load.set();
    reloads.inc();
    log.info("intel: reloaded, {}", summary(load));
    return true;
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private synchronized void loadInitial() {
    loaded = FileFingerprint.of(paths);
    IntelLoad load = IntelLoader.load(paths);
    logReports(load, "load");
    current = load.set();
    log.info("intel: {}", summary(load));
  }

  /** The scheduled check: a failure is logged and the next check still runs. */
  private void checkQuietly() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      failures.inc();
      log.warn("intel: checking the indicator files failed: {}", e.toString());
    }
  }

  private static void logReports(IntelLoad load, String what) {
    for (SourceReport r : load.reports()) {
      String line = TerminalText.escape("intel " + what + ": " + r.summary(), LINE_MAX);
      if (r.missing()) {
        log.warn("{} (checked again every reload interval)", line);
      } else if (!r.errors().isEmpty()) {
        log.warn("{}", line);
      } else {
        log.info("{}", line);
      }
      r.examples().stream()
          .limit(EXAMPLES_LOGGED)
          .forEach(e -> log.info("intel:   skipped {}", TerminalText.escape(e, LINE_MAX)));
    }
  }

  private static String summary(IntelLoad load) {
    IndicatorSet s = load.set();
    StringBuilder b =
        new StringBuilder()
            .append(s.size())
            .append(" indicators from ")
            .append(load.reports().size());
    b.append(" source(s)");
    if (!s.countsByType().isEmpty()) {
      b.append(" (");
      s.countsByType().forEach((t, n) -> b.append(t).append(' ').append(n).append(", "));
      b.setLength(b.length() - 2);
      b.append(')');
    }
    return b.toString();
  }
}
