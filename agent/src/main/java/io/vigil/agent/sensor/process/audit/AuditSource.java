package io.vigil.agent.sensor.process.audit;

import io.vigil.agent.platform.linux.AuditNetlinkException;
import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.agent.sensor.TamperSink;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.RuleReconciler;
import io.vigil.agent.sensor.process.audit.rules.RuleTable;
import io.vigil.agent.sensor.process.audit.rules.StandardRules;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel audit feed over netlink. {@link #start}: reads the audit status; unless the
 * configuration is locked it reconciles the rules carrying the options' key, takes the daemon slot
 * if it is free (else reads the multicast group beside the process that holds it), turns audit on
 * and raises the backlog limit if needed; then one {@code vigil-audit} thread delivers events and,
 * every {@link AuditSourceOptions#tamperCheckInterval}, checks with an {@link AuditGuard} that the
 * rules, {@code enabled} and the slot it took are still in place (putting them back, reporting what
 * somebody else undid as a tamper notice, and saying in {@link #reason} what stays undone). {@link
 * #close} undoes what start changed: deletes the rules with the key, puts back {@code enabled} and
 * {@code backlog_limit} (only where nobody changed them since) and frees the slot.
 *
 * <p>{@link #start} and {@link #close} are called by one controlling thread; both block for a few
 * netlink round trips (close also for up to about two receive timeouts while the reader stops). The
 * getters are thread-safe. One instance per process: the kernel has one daemon slot and the rule
 * key is shared.
 */
public final class AuditSource implements AuditFeed {
  private static final Logger log = LoggerFactory.getLogger(AuditSource.class);
  private static final int CONTROL_BUFFER = 1024 * 1024;

  private final AuditSourceOptions options;
  private final TamperSink tampers;
  private volatile AuditGuard guard;
  private List<AuditRule> desired = List.of();
  private final int selfPid = (int) ProcessHandle.current().pid();
  private AuditNetlinkSocket control;
  private AuditNetlinkSocket records;
  // Read by status and metrics threads.
  private volatile AuditReader reader;
  private Thread thread;
  private volatile List<AuditRule> installed = List.of();

  /** Set before the first rule change, so that a start failing half-way still removes its rules. */
  private boolean rulesTouched;

  private volatile int undecodableRules;

  private int enabledBefore = -1;
  private int backlogBefore = -1;
  private boolean daemon;
  private volatile String source = "audit (not started)";
  private volatile String reason = "";
  private volatile boolean started;
  private volatile boolean closed;

  /** A source whose tamper notices are only logged. */
  public AuditSource(AuditSourceOptions options) {
    this(options, n -> log.warn("audit tamper: {}: {}", n.getKind(), n.getDetail()));
  }

  /**
   * @param tampers where the periodic check ({@link AuditSourceOptions#tamperCheckInterval})
   *     reports what somebody else undid
   */
  public AuditSource(AuditSourceOptions options, TamperSink tampers) {
    this.options = options;
    this.tampers = tampers;
  }

  /**
   * @throws IOException when audit cannot be used; without privileges the message names
   *     CAP_AUDIT_CONTROL or CAP_AUDIT_READ. Whatever was changed before the failure is undone.
   * @throws IllegalStateException when started before or closed
   */
  @Override
  public void start(AuditListener listener) throws IOException {
    if (started || closed) {
      throw new IllegalStateException("an AuditSource starts once");
    }
    started = true;
    try {
      control = AuditNetlinkSocket.openUnicast(CONTROL_BUFFER, options.receiveTimeout());
      AuditStatus status = control.status();
      if (status.locked()) {
        records = openReadLog();
        source = "audit (multicast; configuration locked)";
        reason = "audit configuration is locked (enabled=2); rules cannot be changed";
      } else {
        configure(status);
      }
      reader = new AuditReader(records, control, listener, options, control.status().lost());
      if (rulesTouched) {
        guard =
            new AuditGuard(
                options.key(),
                desired,
                daemon,
                selfPid,
                new SocketKernel(),
                tampers,
                WallClock::nowNanos,
                options.tamperCheckInterval().toNanos(),
                System.nanoTime());
        reader.guardWith(guard);
      }
      thread = new Thread(reader, "vigil-audit");
      thread.setDaemon(true);
      thread.start();
    } catch (IOException | RuntimeException e) {
      undo();
      throw e;
    }
  }

  private void configure(AuditStatus status) throws IOException {
    desired = StandardRules.forAgent(options.key(), selfPid, options.networkRules());
    rulesTouched = true;
    RuleReconciler.Result r =
        RuleReconciler.reconcile(new NetlinkRuleTable(control), options.key(), desired);
    installed = r.installed();
    undecodableRules = r.undecodable();
    if (!r.removed().isEmpty()) {
      log.info("replaced {} stale audit rules with key {}", r.removed().size(), options.key());
    }
    takeSlotOrListen(status);
    if (status.enabled() == 0) {
      control.setEnabled(1);
      enabledBefore = 0;
    }
    if (status.backlogLimit() < options.backlogLimit()) {
      control.setBacklogLimit(options.backlogLimit());
      backlogBefore = status.backlogLimit();
    }
  }

  private void takeSlotOrListen(AuditStatus status) throws IOException {
    int holder = status.pid();
    if (holder == 0 || ProcessHandle.of(holder).isEmpty()) {
      AuditNetlinkSocket s =
          AuditNetlinkSocket.openUnicast(options.receiveBufferBytes(), options.receiveTimeout());
      try {
        // A dead holder is cleared by the kernel when it tests the old connection here.
        s.setDaemonPid(selfPid);
        records = s;
        daemon = true;
        source = "audit (daemon)";
        return;
      } catch (AuditNetlinkException e) {
        s.close();
        if (e.errno() != AuditNetlinkException.EEXIST) {
          throw e;
        }
        holder = control.status().pid(); // someone took it between our read and our request
      }
    }
    records = openReadLog();
    source = "audit (multicast; pid " + holder + " holds the daemon slot)";
  }

  private AuditNetlinkSocket openReadLog() throws IOException {
    return AuditNetlinkSocket.openReadLog(options.receiveBufferBytes(), options.receiveTimeout());
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public boolean degraded() {
    return !reason().isEmpty();
  }

  @Override
  public String reason() {
    AuditReader r = reader;
    String failure = r == null ? "" : r.failure();
    if (!failure.isEmpty()) {
      return failure;
    }
    AuditGuard g = guard;
    String undone = g == null ? "" : g.problem();
    return undone.isEmpty() ? reason : reason.isEmpty() ? undone : reason + "; " + undone;
  }

  /** Records that could not be parsed and were skipped. */
  public long malformedRecords() {
    return reader == null ? 0 : reader.malformedRecords();
  }

  /** Times the record socket overflowed ({@code ENOBUFS}). */
  public long socketOverruns() {
    return reader == null ? 0 : reader.overruns();
  }

  /** Records the kernel counted as lost while this source ran. */
  public long kernelLost() {
    return reader == null ? 0 : reader.kernelLost();
  }

  /** Events the listener threw on (each skipped). */
  public long listenerFailures() {
    AuditReader r = reader;
    return r == null ? 0 : r.listenerFailures();
  }

  /** Records that arrived after their event was complete, so they are missing from it. */
  public long lateRecords() {
    AuditReader r = reader;
    return r == null ? 0 : r.lateRecords();
  }

  /** Events delivered before their end because too many were open (possibly partial). */
  public long evictedEvents() {
    AuditReader r = reader;
    return r == null ? 0 : r.evictedEvents();
  }

  /** Kernel rules with our key that could not be decoded at start, so were left alone. */
  public int undecodableRules() {
    return undecodableRules;
  }

  /** True while this source holds the kernel's audit daemon slot. */
  public boolean isDaemon() {
    return daemon && !closed;
  }

  /** The rules with the key that this source keeps in the kernel while it runs. */
  public List<AuditRule> installedRules() {
    return installed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (thread != null) {
      reader.stop();
      try {
        thread.join(options.receiveTimeout().toMillis() * 10 + 2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        // Closing a socket under a running recv could let it read a reused descriptor: leave the
        // reader's sockets open, but still take back the rules and settings on a fresh socket.
        log.error("audit reader did not stop; leaving its sockets open");
        try (AuditNetlinkSocket fresh = AuditNetlinkSocket.openUnicast()) {
          giveBack(fresh);
        } catch (IOException e) {
          log.warn("could not open an audit socket to remove the rules: {}", e.getMessage());
        }
        return;
      }
    }
    undo();
  }

  /** Gives back what start changed; a failing step is logged and the others still run. */
  private void undo() {
    if (control != null) {
      giveBack(control);
    }
    run(() -> closeSocket(records), "close audit socket");
    run(() -> closeSocket(control), "close audit control socket");
    records = null;
    control = null;
  }

  /**
   * Removes every rule with our key (not only those this start added: a start that failed half-way
   * has added some without knowing which), restores the settings, and gives back the daemon slot —
   * in that order, since a kernel with rules and no daemon writes records to the kernel log.
   */
  private void giveBack(AuditNetlinkSocket socket) {
    if (rulesTouched) {
      run(
          () -> RuleReconciler.reconcile(new NetlinkRuleTable(socket), options.key(), List.of()),
          "remove audit rules");
    }
    run(() -> restoreSettings(socket), "restore audit settings");
    if (daemon) {
      run(() -> socket.setDaemonPid(0), "give back the audit daemon slot");
    }
  }

  private void restoreSettings(AuditNetlinkSocket socket) throws IOException {
    AuditStatus now = socket.status();
    if (backlogBefore >= 0 && now.backlogLimit() == options.backlogLimit()) {
      socket.setBacklogLimit(backlogBefore);
    }
    if (enabledBefore == 0 && now.enabled() == 1) {
      socket.setEnabled(0);
    }
  }

  private static void closeSocket(AuditNetlinkSocket s) throws IOException {
    if (s != null) {
      s.close();
    }
  }

  /**
   * The guard's view of the kernel over this source's sockets: status, rules and {@code enabled} on
   * the control socket, the daemon slot on the record socket (records go to the socket that took
   * it). Used on the reader thread, which owns both.
   */
  private final class SocketKernel implements AuditGuard.Kernel {
    @Override
    public AuditStatus status() throws IOException {
      return control.status();
    }

    @Override
    public RuleTable rules() {
      return new NetlinkRuleTable(control);
    }

    @Override
    public void enable() throws IOException {
      control.setEnabled(1);
    }

    @Override
    public void takeDaemonSlot() throws IOException {
      records.setDaemonPid(selfPid);
    }

    @Override
    public boolean alive(int pid) {
      return ProcessHandle.of(pid).isPresent();
    }

    @Override
    public String describe(int pid) {
      String comm;
      try {
        // A process names itself: bounded and escaped.
        comm = TerminalText.escape(Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), 32);
      } catch (IOException | RuntimeException e) {
        comm = "?";
      }
      return "pid " + pid + " (" + comm + ")";
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  private static void run(Step step, String what) {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      log.warn("could not {}: {}", what, e.getMessage());
    }
  }
}
