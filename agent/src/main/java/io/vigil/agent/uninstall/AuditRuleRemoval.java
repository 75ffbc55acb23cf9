package io.vigil.agent.uninstall;

import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
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
 */
final class AuditRuleRemoval {
  private final String key;

  AuditRuleRemoval(String key) {
    this.key = key;
  }

  Step run() {
    String manual = "auditctl -D -k " + key;
    AuditNetlinkSocket socket;
    try {
      socket = AuditNetlinkSocket.openUnicast();
    } catch (IOException e) {
      return Step.failed(
          "audit: cannot open the audit netlink socket ("
              + e.getMessage()
              + "); remove the rules with key "
              + key
              + " by hand: "
              + manual);
    }
    try (socket) {
      AuditStatus status = socket.status();
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
