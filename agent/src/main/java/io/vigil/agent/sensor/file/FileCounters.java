package io.vigil.agent.sensor.file;

import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.FileEvent.Action;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the file sensor did, for the metrics endpoint and tests. Every value counts up from the
 * sensor's start except {@link #pending}, which is the current size of the coalescing table.
 * Thread-safe; reading never blocks the sensor.
 */
public final class FileCounters {
  /** The {@code hash_skipped} reasons counted. */
  public static final List<String> HASH_SKIP_REASONS =
      List.of("too_large", "unreadable", "gone", "not_regular", "busy");

  private static final List<Action> ACTIONS =
      List.of(
          Action.ACTION_CREATE,
          Action.ACTION_MODIFY,
          Action.ACTION_DELETE,
          Action.ACTION_RENAME,
          Action.ACTION_ATTRIBUTE,
          Action.ACTION_OPEN);

  final LongAdder notifications = new LongAdder();
  final LongAdder filteredOut = new LongAdder();
  final LongAdder coalesced = new LongAdder();
  final LongAdder absorbed = new LongAdder();
  final LongAdder overflows = new LongAdder();
  final LongAdder hashed = new LongAdder();
  final LongAdder gaps = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder pendingEvictions = new LongAdder();
  volatile int pending;
  private final Map<Action, LongAdder> emitted = new EnumMap<>(Action.class);
  private final Map<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  private final Map<String, LongAdder> hashSkipped = new LinkedHashMap<>();

  FileCounters() {
    for (Action a : ACTIONS) {
      emitted.put(a, new LongAdder());
    }
    for (DropReason r : DropReason.values()) {
      dropped.put(r, new LongAdder());
    }
    for (String r : HASH_SKIP_REASONS) {
      hashSkipped.put(r, new LongAdder());
    }
  }

  /** Notifications the source handed on (overflows included). */
  public long notifications() {
    return notifications.sum();
  }

  /**
   * Notifications not reported: outside the watched trees, excluded, the agent's own paths, or no
   * reported operation (reads, opens of paths not configured as sensitive).
   */
  public long filteredOut() {
    return filteredOut.sum();
  }

  /** Notifications merged into a pending event (they raised its {@code count}). */
  public long coalesced() {
    return coalesced.sum();
  }

  /** Notifications that changed nothing: a close with nothing written, a repeated delete. */
  public long absorbed() {
    return absorbed.sum();
  }

  /** Kernel queue overflows the source reported (each became part of a Gap). */
  public long overflows() {
    return overflows.sum();
  }

  /** Events carrying hashes. */
  public long hashed() {
    return hashed.sum();
  }

  /** Events whose wanted hashes are missing, by {@code hash_skipped} reason. */
  public long hashSkipped(String reason) {
    LongAdder a = hashSkipped.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** Events emitted with this action. */
  public long emitted(Action action) {
    LongAdder a = emitted.get(action);
    return a == null ? 0 : a.sum();
  }

  /** Events emitted, all actions. */
  public long emitted() {
    return emitted.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Events dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return dropped.get(reason).sum();
  }

  /** Gap events emitted (drops and overflows). */
  public long gaps() {
    return gaps.sum();
  }

  /** Notifications the processor failed on (a bug; skipped). */
  public long errors() {
    return errors.sum();
  }

  /** Pending changes emitted before their window ended because the table was full. */
  public long pendingEvictions() {
    return pendingEvictions.sum();
  }

  /** Changes waiting in the coalescing table now. */
  public long pending() {
    return pending;
  }

  void emitted(Action action, long n) {
    LongAdder a = emitted.get(action); // every action the sensor makes is there from the start
    if (a != null) {
      a.add(n);
    }
  }

  void dropped(DropReason reason, long n) {
    dropped.get(reason).add(n);
  }

  void countHashSkipped(String reason) {
    LongAdder a = hashSkipped.get(reason);
    if (a != null) {
      a.increment();
    }
  }

  /** Registers every value as a gauge named {@code vigil_file_*}. */
  void register(MetricsRegistry m) {
    m.gauge(
        "vigil_file_notifications",
        "Kernel file notifications the source handed on",
        this::notifications);
    m.gauge(
        "vigil_file_filtered_out",
        "File notifications outside the watched trees, excluded, or of unreported operations",
        this::filteredOut);
    m.gauge(
        "vigil_file_coalesced",
        "File notifications merged into an event (its count)",
        this::coalesced);
    m.gauge(
        "vigil_file_absorbed",
        "File notifications that made no event (close without write, repeated delete)",
        this::absorbed);
    m.gauge("vigil_file_overflows", "Kernel file notification queue overflows", this::overflows);
    m.gauge("vigil_file_hashed", "File events with MD5/SHA-1/SHA-256", this::hashed);
    m.gauge("vigil_file_gaps", "Gap events the file sensor emitted", this::gaps);
    m.gauge("vigil_file_errors", "File notifications the sensor failed on (a bug)", this::errors);
    m.gauge(
        "vigil_file_pending_evictions",
        "Pending file changes emitted early because the coalescing table was full",
        this::pendingEvictions);
    m.gauge("vigil_file_pending", "File changes waiting in the coalescing window", this::pending);
    for (Action a : ACTIONS) {
      String label = a.name().substring("ACTION_".length()).toLowerCase(Locale.ROOT);
      m.gauge("vigil_file_emitted", "File events emitted", () -> emitted(a), "action", label);
    }
    for (DropReason r : DropReason.values()) {
      m.gauge(
          "vigil_file_dropped",
          "File events dropped (sensor queue full, rate limits); each counted in a Gap",
          () -> dropped(r),
          "reason",
          r.label());
    }
    for (String r : HASH_SKIP_REASONS) {
      m.gauge(
          "vigil_file_hash_skipped",
          "File events whose wanted hashes are missing",
          () -> hashSkipped(r),
          "reason",
          r);
    }
  }
}
