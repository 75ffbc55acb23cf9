package io.vigil.agent.sensor.process.audit;

import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.agent.sensor.TamperSink;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.RuleReconciler;
import io.vigil.agent.sensor.process.audit.rules.RuleTable;
import io.vigil.proto.v1.TamperNotice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, every interval, that what the {@link AuditSource} keeps in the kernel is still there: its
 * keyed rules, auditing switched on, and the daemon slot when it took it. Whatever somebody else
 * undid is reported once as a {@link TamperNotice} ({@code audit_rules_removed}, {@code
 * audit_disabled}, {@code audit_daemon_replaced}) and put back: the rules re-added, auditing
 * switched on again, the slot taken again only when it is free (the agent never fights another
 * audit daemon). What could not be put back is retried at each check without a new notice, and
 * {@link #problem} says so for the sensor's degraded reason until it is back.
 *
 * <p>Runs on the audit reader thread, which owns the sockets {@link Kernel} uses; {@link #problem}
 * is thread-safe.
 */
final class AuditGuard {
  private static final Logger log = LoggerFactory.getLogger(AuditGuard.class);
  private static final int NONE = -1;

  /** What the guard needs of the kernel; called on the reader thread only. */
  interface Kernel {
    AuditStatus status() throws IOException;

    /** The kernel's rule list over the control socket. */
    RuleTable rules();

    /** Switches auditing on ({@code enabled=1}). */
    void enable() throws IOException;

    /** Takes the daemon slot with the record socket. */
    void takeDaemonSlot() throws IOException;

    /** Whether a process with this pid exists. */
    boolean alive(int pid);

    /** The process, for an operator: e.g. {@code pid 812 (auditd)}. */
    String describe(int pid);
  }

  private final String key;
  private final List<AuditRule> desired;
  private final boolean holdsSlot;
  private final int selfPid;
  private final Kernel kernel;
  private final TamperSink tampers;
  private final LongSupplier wallNanos;
  private final long intervalNanos;
  private long lastCheck;
  private boolean rulesOutstanding;
  private boolean disabledOutstanding;
  // The slot holder last reported and not taken back from, or NONE.
  private int reportedHolder = NONE;
  private volatile String problem = "";

  /**
   * @param desired the rules with {@code key} the source installed
   * @param holdsSlot whether the source took the daemon slot at start
   * @param intervalNanos time between checks
   * @param startNanos monotonic time ({@link System#nanoTime} scale) the first interval starts at
   * @param wallNanos the agent clock, UTC ns, for {@code detected_ns}
   */
  AuditGuard(
      String key,
      List<AuditRule> desired,
      boolean holdsSlot,
      int selfPid,
      Kernel kernel,
      TamperSink tampers,
      LongSupplier wallNanos,
      long intervalNanos,
      long startNanos) {
    this.key = key;
    this.desired = List.copyOf(desired);
    this.holdsSlot = holdsSlot;
    this.selfPid = selfPid;
    this.kernel = kernel;
    this.tampers = tampers;
    this.wallNanos = wallNanos;
    this.intervalNanos = intervalNanos;
    this.lastCheck = startNanos;
  }

  /** Checks when an interval has passed since the last check ({@code nowNanos} monotonic). */
  void maybeCheck(long nowNanos) {
    if (nowNanos - lastCheck >= intervalNanos) {
      lastCheck = nowNanos;
      try {
        check();
      } catch (RuntimeException e) {
        // A bug here must not end the reader, which delivers the events.
        log.error("audit tamper check failed", e);
      }
    }
  }

  /** One check of everything, putting back what is missing. */
  void check() {
    AuditStatus status;
    try {
      status = kernel.status();
    } catch (IOException e) {
      log.warn("cannot read the audit status to check Vigil's audit setup: {}", e.getMessage());
      return;
    }
    List<String> problems = new ArrayList<>();
    checkEnabled(status, problems);
    checkRules(status, problems);
    if (holdsSlot) {
      checkSlot(status, problems);
    }
    problem = String.join("; ", problems);
  }

  /** What is not as the source set it up and could not be put back, or empty. Thread-safe. */
  String problem() {
    return problem;
  }

  private void checkEnabled(AuditStatus status, List<String> problems) {
    if (status.enabled() != 0) {
      disabledOutstanding = false;
      return;
    }
    String failure = null;
    try {
      kernel.enable();
    } catch (IOException e) {
      failure = e.getMessage();
    }
    if (!disabledOutstanding) {
      report(
          "audit_disabled",
          "auditing was switched off (enabled=0) from outside the agent; "
              + (failure == null
                  ? "switched back on (execs in between were not recorded)"
                  : "switching it back on failed: " + failure),
          failure == null);
    }
    disabledOutstanding = failure != null;
    if (failure != null) {
      problems.add(
          "auditing is switched off (enabled=0) and switching it back on fails: " + failure);
    }
  }

  private void checkRules(AuditStatus status, List<String> problems) {
    List<AuditRule> missing;
    try {
      missing = RuleReconciler.missing(kernel.rules(), key, desired);
    } catch (IOException e) {
      log.warn("cannot list the audit rules to check Vigil's: {}", e.getMessage());
      return;
    }
    if (missing.isEmpty()) {
      rulesOutstanding = false;
      return;
    }
    String what =
        missing.size() + " of " + desired.size() + " audit rules with key " + key + " missing";
    String failure = null;
    if (status.locked()) {
      failure = "the audit configuration is locked (enabled=2) until reboot";
    } else {
      try {
        RuleReconciler.reconcile(kernel.rules(), key, desired);
      } catch (IOException e) {
        failure = e.getMessage();
      }
    }
    if (!rulesOutstanding) {
      report(
          "audit_rules_removed",
          what
              + (failure == null
                  ? "; added back (execs in between were not recorded)"
                  : "; adding them back failed: " + failure),
          failure == null);
    }
    rulesOutstanding = failure != null;
    if (failure != null) {
      problems.add(what + " and adding them back fails: " + failure);
    }
  }

  private void checkSlot(AuditStatus status, List<String> problems) {
    int holder = status.pid();
    if (holder == selfPid) {
      reportedHolder = NONE;
      return;
    }
    boolean free = holder == 0 || !kernel.alive(holder);
    String failure = null;
    if (free) {
      try {
        kernel.takeDaemonSlot();
      } catch (IOException e) {
        failure = e.getMessage();
      }
    }
    String who = holder == 0 ? "nobody" : kernel.describe(holder);
    if (reportedHolder != holder) {
      String detail;
      if (!free) {
        detail =
            who
                + " holds the audit daemon slot the agent held; the agent does not take it back"
                + " from another audit daemon: exec records go to that process, not to the agent";
      } else if (failure == null) {
        detail = "the agent lost the audit daemon slot (held by " + who + "); took it back";
      } else {
        detail =
            "the agent lost the audit daemon slot (held by "
                + who
                + "); taking it back failed: "
                + failure;
      }
      report("audit_daemon_replaced", detail, free && failure == null);
    }
    reportedHolder = free && failure == null ? NONE : holder;
    if (!free) {
      problems.add(who + " holds the audit daemon slot: exec records go to it, not to the agent");
    } else if (failure != null) {
      problems.add("the agent lost the audit daemon slot and cannot take it back: " + failure);
    }
  }

  private void report(String kind, String detail, boolean restored) {
    tampers.report(
        TamperNotice.newBuilder()
            .setKind(kind)
            .setDetail(detail)
            .setDetectedNs(wallNanos.getAsLong())
            .setRestored(restored)
            .build());
  }
}
