package io.vigil.agent.sensor.process.audit.rules;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings the kernel's rules carrying one key to a desired set: deletes rules with that key that are
 * not desired (an older agent version's, or ones naming a dead agent's pid), adds desired rules
 * that are missing, and never touches a rule with another key, without a key, or that it cannot
 * decode. Stateless and thread-safe; blocks on the {@link RuleTable}.
 */
public final class RuleReconciler {
  /**
   * What a reconciliation did.
   *
   * @param added desired rules that were missing and were added
   * @param removed rules with the key that were not desired and were deleted
   * @param kept desired rules that were already there
   * @param undecodable kernel rules that could not be decoded and were left alone
   */
  public record Result(
      List<AuditRule> added, List<AuditRule> removed, List<AuditRule> kept, int undecodable) {
    public Result {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      kept = List.copyOf(kept);
    }

    /** The rules with the key now in the kernel: kept and added. */
    public List<AuditRule> installed() {
      List<AuditRule> all = new ArrayList<>(kept);
      all.addAll(added);
      return all;
    }
  }

  private RuleReconciler() {}

  /**
   * The desired rules the kernel does not hold (each must carry {@code key}); changes nothing.
   * Kernel rules that cannot be decoded are skipped, as {@link #reconcile} skips them.
   *
   * @throws IOException when the rules cannot be listed
   */
  public static List<AuditRule> missing(RuleTable table, String key, List<AuditRule> desired)
      throws IOException {
    List<AuditRule> present = new ArrayList<>();
    for (byte[] raw : table.list()) {
      try {
        AuditRule rule = AuditRuleCodec.decode(raw);
        if (rule.key().map(key::equals).orElse(false)) {
          present.add(rule);
        }
      } catch (IllegalArgumentException e) {
        // undecodable: never ours to judge
      }
    }
    List<AuditRule> missing = new ArrayList<>();
    for (AuditRule r : desired) {
      if (!present.contains(r) && !missing.contains(r)) {
        missing.add(r);
      }
    }
    return missing;
  }

  /**
   * @param desired the rules wanted; each must carry {@code key}
   * @throws IllegalArgumentException when a desired rule does not carry {@code key}
   * @throws IOException when the kernel refuses a change; rules changed before stay changed
   */
  public static Result reconcile(RuleTable table, String key, List<AuditRule> desired)
      throws IOException {
    for (AuditRule r : desired) {
      if (!r.key().map(key::equals).orElse(false)) {
        throw new IllegalArgumentException("desired rule does not carry key " + key + ": " + r);
      }
    }
    List<AuditRule> kept = new ArrayList<>();
    List<AuditRule> removed = new ArrayList<>();
    int undecodable = 0;
    for (byte[] raw : table.list()) {
      AuditRule rule;
      try {
        rule = AuditRuleCodec.decode(raw);
      } catch (IllegalArgumentException e) {
        undecodable++;
        continue;
      }
      if (!rule.key().map(key::equals).orElse(false)) {
        continue;
      }
      if (desired.contains(rule) && !kept.contains(rule)) {
        kept.add(rule);
      } else {
        // Deleting with the kernel's own bytes matches the rule exactly, whatever we decoded.
        table.delete(raw);
        removed.add(rule);
      }
    }
    List<AuditRule> added = new ArrayList<>();
    for (AuditRule r : desired) {
      if (!kept.contains(r) && !added.contains(r)) {
        table.add(AuditRuleCodec.encode(r));
        added.add(r);
      }
    }
    return new Result(added, removed, kept, undecodable);
  }
}
