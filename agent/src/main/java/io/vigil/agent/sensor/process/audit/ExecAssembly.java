package io.vigil.agent.sensor.process.audit;

import io.vigil.agent.sensor.process.audit.rules.AuditArch;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link ProcessExec} from an execve audit event: SYSCALL (a successful execve or
 * execveat), EXECVE (argv), CWD, PATH and PROCTITLE. argv comes from EXECVE; without EXECVE (lost
 * record, or an audit rule that leaves it out) from PROCTITLE, which the kernel cuts at 128 bytes,
 * so the result is then marked truncated. Text is escaped with {@link EscapedText}, never dropped.
 * Immutable and thread-safe.
 */
public final class ExecAssembly {
  /** Default budget for all argument bytes of one exec. */
  public static final int DEFAULT_MAX_ARGV_BYTES = 32 * 1024;

  /** The 32-bit "unset" id (auid, ses). */
  public static final int UNSET_ID = -1;

  private final int maxArgvBytes;

  /** Uses {@link #DEFAULT_MAX_ARGV_BYTES}. */
  public ExecAssembly() {
    this(DEFAULT_MAX_ARGV_BYTES);
  }

  /**
   * @param maxArgvBytes budget for argument bytes, one byte per argument counted in
   */
  public ExecAssembly(int maxArgvBytes) {
    if (maxArgvBytes < 1) {
      throw new IllegalArgumentException("maxArgvBytes must be positive: " + maxArgvBytes);
    }
    this.maxArgvBytes = maxArgvBytes;
  }

  /** True for a SYSCALL record of a successful execve/execveat on x86_64 or aarch64. */
  public static boolean isSuccessfulExec(AuditRecord syscall) {
    if (syscall == null || syscall.type() != AuditRecordTypes.SYSCALL) {
      return false;
    }
    long nr = syscall.number("syscall", false).orElse(-1);
    boolean exec =
        AuditArch.ofRecordField(syscall.text("arch")).map(a -> a.isExec(nr)).orElse(false);
    // A failed execve started nothing; the old image keeps running.
    return exec && "yes".equals(syscall.text("success"));
  }

  /** The exec this event records, or empty when it is not a successful execve. */
  public Optional<ProcessExec> assemble(AuditEvent event) {
    AuditRecord syscall = event.first(AuditRecordTypes.SYSCALL);
    if (!isSuccessfulExec(syscall)) {
      return Optional.empty();
    }
    ExecArgv argv = ExecArgv.from(event.all(AuditRecordTypes.EXECVE), maxArgvBytes);
    if (argv.args.isEmpty() && !argv.truncated) {
      argv = fromProctitle(event.first(AuditRecordTypes.PROCTITLE));
    }
    ProcessExec.Builder exec = ProcessExec.newBuilder().setSource("audit");
    StringBuilder commandLine = new StringBuilder();
    for (byte[] arg : argv.args) {
      String text = EscapedText.of(arg, 0, arg.length);
      exec.addArgs(text);
      if (commandLine.length() > 0) {
        commandLine.append(' ');
      }
      commandLine.append(text);
    }
    exec.setArgsTruncated(argv.truncated);
    ProcessRef.Builder process =
        ProcessRef.newBuilder()
            .setPid(syscall.id("pid", 0))
            .setImage(image(syscall, event.all(AuditRecordTypes.PATH)))
            .setCommandLine(commandLine.toString())
            .setUid(syscall.id("uid", UNSET_ID));
    exec.setProcess(process);
    exec.setParent(ProcessRef.newBuilder().setPid(syscall.id("ppid", 0)));
    AuditRecord cwd = event.first(AuditRecordTypes.CWD);
    if (cwd != null && cwd.text("cwd") != null) {
      exec.setCwd(cwd.text("cwd"));
    }
    exec.setEuid(syscall.id("euid", UNSET_ID))
        .setSuid(syscall.id("suid", UNSET_ID))
        .setFsuid(syscall.id("fsuid", UNSET_ID))
        .setGid(syscall.id("gid", UNSET_ID))
        .setEgid(syscall.id("egid", UNSET_ID))
        .setAuid(syscall.id("auid", UNSET_ID))
        .setSessionId(syscall.id("ses", UNSET_ID));
    String tty = syscall.text("tty");
    if (tty != null) {
      exec.setTty(tty);
    }
    return Optional.of(exec.build());
  }

  /** {@code exe} of the SYSCALL record; the first PATH item's name if exe is missing. */
  private static String image(AuditRecord syscall, List<AuditRecord> paths) {
    String exe = syscall.text("exe");
    if (exe != null) {
      return exe;
    }
    for (AuditRecord p : paths) {
      if ("0".equals(p.text("item")) && p.text("name") != null) {
        return p.text("name");
      }
    }
    return "";
  }

  /** proctitle is argv joined by NUL bytes, cut by the kernel: always marked truncated. */
  private ExecArgv fromProctitle(AuditRecord proctitle) {
    byte[] title = proctitle == null ? null : proctitle.bytes("proctitle");
    return ExecArgv.fromNulSeparated(title, maxArgvBytes);
  }
}
