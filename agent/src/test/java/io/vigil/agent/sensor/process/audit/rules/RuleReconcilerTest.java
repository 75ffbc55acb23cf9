package io.vigil.agent.sensor.process.audit.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleReconcilerTest {
  private static final AuditArch ARCH = AuditArch.X86_64;

  /** The kernel's list as the reconciler sees it; deletes need the exact bytes, like the kernel. */
  private static final class FakeTable implements RuleTable {
    final List<byte[]> rules = new ArrayList<>();
    int adds;
    int deletes;

    @Override
    public List<byte[]> list() {
      return List.copyOf(rules);
    }

    @Override
    public void add(byte[] rule) {
      adds++;
      rules.add(rule.clone());
    }

    @Override
    public void delete(byte[] rule) {
      deletes++;
      if (!rules.removeIf(r -> Arrays.equals(r, rule))) {
        throw new IllegalStateException("no such rule");
      }
    }

    List<AuditRule> decoded() {
      List<AuditRule> out = new ArrayList<>();
      for (byte[] r : rules) {
        out.add(AuditRuleCodec.decode(r));
      }
      return out;
    }
  }

  @Test
  void addsEveryDesiredRuleToAnEmptyTable() throws Exception {
    FakeTable t = new FakeTable();
    List<AuditRule> desired = StandardRules.forAgent(ARCH, "vigil", 100, true);

    RuleReconciler.Result r = RuleReconciler.reconcile(t, "vigil", desired);

    assertEquals(desired, r.added());
    assertEquals(desired, t.decoded());
  }

  @Test
  void keepsPresentRulesAndReplacesThoseNamingADeadAgentPid() throws Exception {
    FakeTable t = new FakeTable();
    List<AuditRule> old = StandardRules.forAgent(ARCH, "vigil", 99, true);
    old.forEach(r -> t.add(AuditRuleCodec.encode(r)));
    t.adds = 0;
    List<AuditRule> desired = StandardRules.forAgent(ARCH, "vigil", 100, true);

    RuleReconciler.Result r = RuleReconciler.reconcile(t, "vigil", desired);

    assertEquals(List.of(desired.get(0)), r.kept()); // the exec rule names no pid
    assertEquals(old.subList(1, old.size()), r.removed()); // every network rule names the pid
    assertEquals(desired.subList(1, desired.size()), r.added());
    assertEquals(Set.copyOf(desired), Set.copyOf(t.decoded()));
    assertEquals(desired.size() - 1, t.adds);
  }

  @Test
  void neverTouchesRulesWithAnotherKeyNoKeyOrThatCannotBeDecoded() throws Exception {
    FakeTable t = new FakeTable();
    AuditRule other = AuditRule.exitAlways(ARCH, Set.of(59), List.of(), "vigil-other");
    AuditRule noKey =
        new AuditRule(
            AuditRule.FILTER_EXIT,
            AuditRule.ALWAYS,
            new java.util.TreeSet<>(Set.of(2)),
            List.of(AuditRule.Condition.arch(ARCH)));
    t.add(AuditRuleCodec.encode(other));
    t.add(AuditRuleCodec.encode(noKey));
    t.add(new byte[] {1, 2, 3});

    RuleReconciler.Result r =
        RuleReconciler.reconcile(t, "vigil", StandardRules.forAgent(ARCH, "vigil", 1, false));

    assertEquals(List.of(), r.removed());
    assertEquals(1, r.undecodable());
    assertEquals(4, t.rules.size());
    assertEquals(0, t.deletes);
  }

  @Test
  void reconcilingToNothingRemovesEveryRuleOfTheKeyAndNothingElse() throws Exception {
    // How a source gives its rules back, also after a start that added only some of them.
    FakeTable t = new FakeTable();
    List<AuditRule> ours = StandardRules.forAgent(ARCH, "vigil", 7, true);
    AuditRule other = AuditRule.exitAlways(ARCH, Set.of(59), List.of(), "other");
    t.add(AuditRuleCodec.encode(other));
    RuleReconciler.reconcile(t, "vigil", ours.subList(0, 2));

    RuleReconciler.Result r = RuleReconciler.reconcile(t, "vigil", List.of());

    assertEquals(2, r.removed().size());
    assertEquals(List.of(other), t.decoded());
  }

  @Test
  void refusesDesiredRulesWithoutTheKey() {
    List<AuditRule> wrong = StandardRules.forAgent(ARCH, "not-vigil", 1, false);

    assertThrows(
        IllegalArgumentException.class,
        () -> RuleReconciler.reconcile(new FakeTable(), "vigil", wrong));
  }
}
