package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordTypes;
import io.vigil.agent.sensor.process.audit.ExecAssembly;
import io.vigil.agent.sensor.process.procfs.LiveImage;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds the full {@code ProcessExec} of an audit exec event: argv, ids, cwd and tty from the
 * records ({@link ExecAssembly}); entity ids and the parent from the process table; start ticks,
 * container id and exe link from {@code /proc} while the process is still there ({@link
 * ProcReader#readImage}, not a full snapshot: audit already has the rest); hashes; user and group
 * names; the privileged-exec flag. Thread-safe; blocks on {@code /proc} reads and hashing.
 */
final class AuditExecs {
  /** Type of the record the kernel adds when an exec gains file capabilities. */
  static final int BPRM_FCAPS = 1321;

  private static final long SETUID_SETGID = 04000 | 02000;

  private final ExecAssembly assembly;
  private final ProcessTracker tracker;
  private final ProcReader reader;
  private final ExecutableFacts facts;

  AuditExecs(
      ExecAssembly assembly, ProcessTracker tracker, ProcReader reader, ExecutableFacts facts) {
    this.assembly = assembly;
    this.tracker = tracker;
    this.reader = reader;
    this.facts = facts;
  }

  /** The exec, or empty when the event is not a successful execve. */
  Optional<ProcessExec> build(AuditEvent event) {
    Optional<ProcessExec> assembled = assembly.assemble(event);
    if (assembled.isEmpty()) {
      return Optional.empty();
    }
    ProcessExec base = assembled.get();
    ProcessRef p = base.getProcess();
    int pid = p.getPid();
    // Audit reported argv, cwd, ids and tty; /proc adds only the identity and the container.
    Optional<LiveImage> live = reader.readImage(pid);
    OptionalLong liveTicks =
        live.map(s -> OptionalLong.of(s.startTicks())).orElse(OptionalLong.empty());
    ProcessTracker.ExecResult r =
        tracker.onExec(
            pid,
            base.getParent().getPid(),
            p.getImage(),
            p.getCommandLine(),
            p.getUid(),
            liveTicks,
            event.timestampNs());
    ProcessExec.Builder exec = base.toBuilder();
    exec.setProcess(r.process().toRef());
    exec.setParent(withUser(r.parent()));
    exec.setExecWithoutFork(r.withoutFork());
    exec.setGroup(tracker.names().group(Integer.toUnsignedLong(base.getGid())));
    exec.setPrivilegedExec(privileged(event, base));
    String liveExe = "";
    if (live.isPresent() && live.get().startTicks() == r.process().startTicks()) {
      exec.setContainerId(live.get().containerId());
      liveExe = live.get().exe();
    }
    facts.fill(exec, pid, p.getImage(), liveExe, ExecutableFacts.executedFile(event));
    return Optional.of(exec.build());
  }

  private ProcessRef withUser(ProcessRef parent) {
    if (!parent.getUser().isEmpty() || parent.getEntityId().isEmpty()) {
      return parent;
    }
    return parent.toBuilder()
        .setUser(tracker.names().user(Integer.toUnsignedLong(parent.getUid())))
        .build();
  }

  /** setuid/setgid program, a changed effective uid, or file capabilities gained. */
  static boolean privileged(AuditEvent event, ProcessExec exec) {
    if (event.first(BPRM_FCAPS) != null || exec.getEuid() != exec.getProcess().getUid()) {
      return true;
    }
    if (exec.getEgid() != exec.getGid()) {
      return true;
    }
    for (AuditRecord path : event.all(AuditRecordTypes.PATH)) {
      if ("0".equals(path.text("item"))) {
        OptionalLong mode = octal(path.text("mode"));
        return mode.isPresent() && (mode.getAsLong() & SETUID_SETGID) != 0;
      }
    }
    return false;
  }

  private static OptionalLong octal(String text) {
    if (text == null || text.isEmpty() || text.length() > 12) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text, 8));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
