package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordTypes;
import io.vigil.agent.sensor.process.audit.rules.AuditArch;
import java.util.Optional;

/**
 * Decides who handles an audit event: execs go to the exec builder, socket/connect/accept syscalls
 * belong to the network sensor (a bind, from someone else's rule, stays a message), events caused
 * by the agent itself are dropped, the rest become {@code AuditMessage}s. Stateless; thread-safe.
 */
final class AuditRouting {
  enum Route {
    EXEC,
    NETWORK,
    SELF,
    MESSAGE
  }

  private AuditRouting() {}

  static Route route(AuditEvent event, long agentPid) {
    AuditRecord syscall = event.first(AuditRecordTypes.SYSCALL);
    if (syscall != null) {
      Optional<AuditArch> arch = AuditArch.ofRecordField(syscall.text("arch"));
      long nr = syscall.number("syscall", false).orElse(-1);
      if (arch.isPresent() && arch.get().isExec(nr)) {
        // Failed execs (every PATH directory execvp tries) are noise; successful ones are events.
        return "yes".equals(syscall.text("success")) ? Route.EXEC : Route.SELF;
      }
      if (arch.isPresent() && arch.get().isConnectionCall(nr)) {
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
}
