package io.vigil.detect.vigil;

import io.vigil.proto.v1.ProcessExec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ProcessExec} as the auditd records an execve produces, so SigmaHQ's {@code service:
 * auditd} EXECVE/SYSCALL/PATH rules run on Vigil's exec events whichever source observed them:
 *
 * <ul>
 *   <li>{@code SYSCALL}: {@code SYSCALL=execve} (execveat is reported as execve: the event does not
 *       tell them apart), {@code success=yes}, {@code exe}, {@code comm} (the image's base name cut
 *       to the kernel's 15 characters; differs from the kernel's when the program was started
 *       through a symlink), {@code pid}, {@code ppid}, {@code uid}, {@code gid}, {@code euid},
 *       {@code suid}, {@code fsuid}, {@code egid}, {@code auid}, {@code ses}, {@code tty};
 *   <li>{@code EXECVE}: {@code argc}, {@code a0}..{@code aN};
 *   <li>{@code CWD}: {@code cwd};
 *   <li>{@code PATH}: the executable as item 0 ({@code name}, {@code nametype=NORMAL}, {@code
 *       inode}).
 * </ul>
 *
 * The rule {@code key} is absent: exec events do not carry it. Not thread-confined; stateless.
 */
final class ExecAuditRecords {
  private static final int COMM_LEN = 15;

  private ExecAuditRecords() {}

  static List<AuditRecord> of(ProcessExec e) {
    return List.of(syscall(e), execve(e), cwd(e), path(e));
  }

  private static AuditRecord syscall(ProcessExec e) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("SYSCALL", "execve");
    f.put("success", "yes");
    f.put("exe", e.getProcess().getImage());
    f.put("comm", comm(e.getProcess().getImage()));
    putPositive(f, "pid", e.hasProcess() ? e.getProcess().getPid() : 0);
    putPositive(f, "ppid", e.hasParent() ? e.getParent().getPid() : 0);
    if (e.hasProcess()) {
      f.put("uid", Integer.toUnsignedString(e.getProcess().getUid()));
      f.put("gid", Integer.toUnsignedString(e.getGid()));
      f.put("euid", Integer.toUnsignedString(e.getEuid()));
      f.put("suid", Integer.toUnsignedString(e.getSuid()));
      f.put("fsuid", Integer.toUnsignedString(e.getFsuid()));
      f.put("egid", Integer.toUnsignedString(e.getEgid()));
      f.put("auid", Integer.toUnsignedString(e.getAuid()));
      f.put("ses", Integer.toUnsignedString(e.getSessionId()));
    }
    f.put("tty", e.getTty().isEmpty() ? "(none)" : e.getTty().replace("/", ""));
    return new AuditRecord("SYSCALL", f);
  }

  private static AuditRecord execve(ProcessExec e) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("argc", Integer.toString(e.getArgsCount()));
    for (int i = 0; i < e.getArgsCount(); i++) {
      f.put("a" + i, e.getArgs(i));
    }
    return new AuditRecord("EXECVE", f);
  }

  private static AuditRecord cwd(ProcessExec e) {
    return new AuditRecord("CWD", Map.of("cwd", e.getCwd()));
  }

  private static AuditRecord path(ProcessExec e) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("item", "0");
    f.put("name", e.getProcess().getImage());
    f.put("nametype", "NORMAL");
    if (e.getExeInode() != 0) {
      f.put("inode", Long.toUnsignedString(e.getExeInode()));
    }
    return new AuditRecord("PATH", f);
  }

  private static String comm(String image) {
    String base = image.substring(image.lastIndexOf('/') + 1);
    return base.length() > COMM_LEN ? base.substring(0, COMM_LEN) : base;
  }

  private static void putPositive(Map<String, String> f, String name, long v) {
    if (v > 0) {
      f.put(name, Long.toString(v));
    }
  }
}
