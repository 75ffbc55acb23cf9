package io.vigil.agent.uninstall;

import io.vigil.agent.platform.linux.AuditNetlinkException;
import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.sensor.process.audit.NetlinkRuleTable;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.AuditRuleCodec;
import io.vigil.agent.sensor.process.audit.rules.RuleReconciler;
import java.io.IOException;
import java.util.List;

/**
 * Deletes the kernel audit rules carrying the agent's key ({@code sensors.process.audit_key}), as
 * the agent's own clean stop does, and touches nothing else: rules with other keys, {@code enabled}
 * (what it was before the agent is not recorded anywhere that outlives the agent, so it is left as
 * found) and the daemon slot (the kernel frees a dead daemon's slot by itself). Blocks for a few
 * netlink round trips.
 *
 * <p>Where there is no audit to talk to, there are no rules of the agent's to remove, and the step
 * is done: a kernel built without audit refuses the socket ({@code EPROTONOSUPPORT}), and the
 * kernel refuses audit requests from a user or PID namespace other than the initial one ({@code
 * ECONNREFUSED}: an agent in the same container could not have added rules either). Any other
 * failure (a missing capability, say) is a failed step.
 */
final class AuditRuleRemoval {
  /**
   * Opens the audit control socket ({@link AuditNetlinkSocket#openUnicast}; tests pass another).
   */
  @FunctionalInterface
  interface SocketOpener {
    AuditNetlinkSocket open() throws IOException;
  }

  private final String key;
  private final SocketOpener opener;

  AuditRuleRemoval(String key) {
    this(key, AuditNetlinkSocket::openUnicast);
  }

  AuditRuleRemoval(String key, SocketOpener opener) {
    this.key = key;
    this.opener = opener;
  }

  /**
   * True for the errors that mean this kernel, or this namespace, has no audit: a kernel without
   * audit ({@code EPROTONOSUPPORT} on the socket) or a request from outside the initial user or PID
   * namespace ({@code ECONNREFUSED}).
   */
  static boolean auditUnavailable(IOException e) {
    return e instanceof AuditNetlinkException a
        && (a.errno() == Errno.EPROTONOSUPPORT || a.errno() == Errno.ECONNREFUSED);
  }

  private Step noAudit(IOException e) {
    return Step.done(
        "audit: not available here (" + e.getMessage() + "): no rules with key " + key);
  }

  Step run() {
    String manual = "auditctl -D -k " + key;
    AuditNetlinkSocket socket;
    try {
      socket = opener.open();
    } catch (IOException e) {
      if (auditUnavailable(e)) {
        return noAudit(e);
      }
      return Step.failed(
          "audit: cannot open the audit netlink socket ("
              + e.getMessage()
              + "); remove the rules with key "
              + key
              + " by hand: "
              + manual);
    }
    try (socket) {
      AuditStatus status;
      try {
        status = socket.status();
      } catch (IOException e) {
        if (auditUnavailable(e)) {
          return noAudit(e);
        }
        throw e;
      }
      if (status.locked()) {
        return hasOurs(socket)
            ? Step.failed(
                "audit: the configuration is locked (enabled=2) until reboot; the rules with key "
                    + key
                    + " go away at the next boot")
            : Step.done("audit: no rules with key " + key + " (configuration locked)");
      }
      RuleReconciler.Result r =
          RuleReconciler.reconcile(new NetlinkRuleTable(socket), key, List.of());
      return r.removed().isEmpty()
          ? Step.done("audit: no rules with key " + key)
          : Step.done("audit: removed " + r.removed().size() + " rule(s) with key " + key);
    } catch (IOException e) {
      return Step.failed(
          "audit: cannot remove the rules with key "
              + key
              + " ("
              + e.getMessage()
              + "); remove them by hand: "
              + manual);
    }
  }

  /** True when a rule with the key is in the kernel (decodable ones; others are never ours). */
  private boolean hasOurs(AuditNetlinkSocket socket) throws IOException {
    for (byte[] raw : socket.listRules()) {
      try {
        AuditRule rule = AuditRuleCodec.decode(raw);
        if (rule.key().map(key::equals).orElse(false)) {
          return true;
        }
      } catch (IllegalArgumentException e) {
        // not decodable: not ours
      }
    }
    return false;
  }
}
