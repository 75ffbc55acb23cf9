package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordTypes;

/**
 * Decides who handles an audit event: execs go to the exec builder, socket/connect/accept/bind
 * syscalls belong to the network sensor, events caused by the agent itself are dropped, the rest
 * become {@code AuditMessage}s. Stateless; thread-safe.
 */
final class AuditRouting {
  enum Route {
    EXEC,
    NETWORK,
    SELF,
    MESSAGE
  }

  private static final String ARCH_X86_64 = "c000003e";
  private static final String ARCH_AARCH64 = "c00000b7";

  private AuditRouting() {}

  static Route route(AuditEvent event, long agentPid) {
    AuditRecord syscall = event.first(AuditRecordTypes.SYSCALL);
    if (syscall != null) {
      String arch = syscall.text("arch");
      long nr = syscall.number("syscall", false).orElse(-1);
      if (isExec(arch, nr)) {
        // Failed execs (every PATH directory execvp tries) are noise; successful ones are events.
        return "yes".equals(syscall.text("success")) ? Route.EXEC : Route.SELF;
      }
      if (isNetwork(arch, nr)) {
        return Route.NETWORK;
      }
    }
    for (AuditRecord r : event.records()) {
      if (r.has("pid")) {
        return r.id("pid", -1) == agentPid ? Route.SELF : Route.MESSAGE;
      }
    }
    return Route.MESSAGE;
  }

  private static boolean isExec(String arch, long nr) {
    return ARCH_X86_64.equals(arch) && (nr == 59 || nr == 322)
        || ARCH_AARCH64.equals(arch) && (nr == 221 || nr == 281);
  }

  /** connect, accept, accept4, bind, socket. */
  private static boolean isNetwork(String arch, long nr) {
    return ARCH_X86_64.equals(arch) && (nr == 42 || nr == 43 || nr == 288 || nr == 49 || nr == 41)
        || ARCH_AARCH64.equals(arch)
            && (nr == 203 || nr == 202 || nr == 242 || nr == 200 || nr == 198);
  }
}
