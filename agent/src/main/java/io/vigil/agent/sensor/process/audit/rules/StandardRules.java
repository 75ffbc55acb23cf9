package io.vigil.agent.sensor.process.audit.rules;

import java.util.List;
import java.util.Set;

/** The audit rules the agent installs. Stateless. */
public final class StandardRules {
  private StandardRules() {}

  /** {@link #forAgent(AuditArch, String, int, boolean)} for the JVM's architecture. */
  public static List<AuditRule> forAgent(String key, int selfPid, boolean network) {
    return forAgent(AuditArch.current(), key, selfPid, network);
  }

  /**
   * Successful execve/execveat; with {@code network} also connect (any outcome: a non-blocking
   * connect "fails" with EINPROGRESS) and successful accept/accept4, both excluding the agent's own
   * pid so that its traffic to the collector is not audited. Every rule carries {@code key}; the
   * rules naming {@code selfPid} become stale when the agent restarts and are then replaced.
   */
  public static List<AuditRule> forAgent(AuditArch arch, String key, int selfPid, boolean network) {
    AuditRule exec =
        AuditRule.exitAlways(
            arch,
            Set.of(arch.execve(), arch.execveat()),
            List.of(AuditRule.Condition.success(true)),
            key);
    if (!network) {
      return List.of(exec);
    }
    AuditRule connect =
        AuditRule.exitAlways(
            arch, Set.of(arch.connect()), List.of(AuditRule.Condition.pidNot(selfPid)), key);
    AuditRule accept =
        AuditRule.exitAlways(
            arch,
            Set.of(arch.accept(), arch.accept4()),
            List.of(AuditRule.Condition.success(true), AuditRule.Condition.pidNot(selfPid)),
            key);
    return List.of(exec, connect, accept);
  }
}
