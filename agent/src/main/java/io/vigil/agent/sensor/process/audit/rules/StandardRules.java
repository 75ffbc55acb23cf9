package io.vigil.agent.sensor.process.audit.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The audit rules the agent installs. Stateless. */
public final class StandardRules {
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;

  private StandardRules() {}

  /** {@link #forAgent(AuditArch, String, int, boolean)} for the JVM's architecture. */
  public static List<AuditRule> forAgent(String key, int selfPid, boolean network) {
    return forAgent(AuditArch.current(), key, selfPid, network);
  }

  /**
   * Successful execve/execveat; with {@code network} also, per family AF_INET and AF_INET6 (one
   * rule each: audit conditions cannot be or-ed), connect (any outcome: a non-blocking connect
   * "fails" with EINPROGRESS) and successful accept/accept4 whose socket address has that family
   * ({@code saddr_fam}, so the many AF_UNIX connects of syslog, D-Bus and nscd are never audited),
   * and successful {@code socket} calls (the records give the new descriptor and its type, so a
   * connect whose descriptor is already closed when its record is read still learns TCP or UDP).
   * The network rules exclude the agent's own pid so that its traffic to the collector is not
   * audited. Every rule carries {@code key}; the rules naming {@code selfPid} become stale when the
   * agent restarts and are then replaced.
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
    List<AuditRule> rules = new ArrayList<>(List.of(exec));
    for (int family : new int[] {AF_INET, AF_INET6}) {
      rules.add(
          AuditRule.exitAlways(
              arch,
              Set.of(arch.connect()),
              List.of(
                  AuditRule.Condition.socketFamily(family), AuditRule.Condition.pidNot(selfPid)),
              key));
      rules.add(
          AuditRule.exitAlways(
              arch,
              Set.of(arch.accept(), arch.accept4()),
              List.of(
                  AuditRule.Condition.socketFamily(family),
                  AuditRule.Condition.success(true),
                  AuditRule.Condition.pidNot(selfPid)),
              key));
      rules.add(socket(arch, family, selfPid, key));
    }
    return List.copyOf(rules);
  }

  /** {@code -S socket -F a0=family -F success=1 -F pid!=self}. */
  private static AuditRule socket(AuditArch arch, int family, int selfPid, String key) {
    return AuditRule.exitAlways(
        arch,
        Set.of(arch.socket()),
        List.of(
            AuditRule.Condition.arg0(family),
            AuditRule.Condition.success(true),
            AuditRule.Condition.pidNot(selfPid)),
        key);
  }
}
