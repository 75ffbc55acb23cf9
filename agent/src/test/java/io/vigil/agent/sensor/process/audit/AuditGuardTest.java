package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.agent.sensor.process.audit.rules.AuditArch;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.AuditRuleCodec;
import io.vigil.agent.sensor.process.audit.rules.RuleTable;
import io.vigil.agent.sensor.process.audit.rules.StandardRules;
import io.vigil.proto.v1.TamperNotice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The audit tamper check against a kernel held in memory, on a clock the test moves. */
class AuditGuardTest {
  private static final String KEY = "vigil-test-guard";
  private static final int SELF = 4242;
  private static final long INTERVAL = TimeUnit.SECONDS.toNanos(15);
  private static final List<AuditRule> DESIRED =
      StandardRules.forAgent(AuditArch.X86_64, KEY, SELF, true);

  /** Rules, enabled and the daemon slot, as the kernel keeps them; counts what the guard does. */
  private static final class FakeKernel implements AuditGuard.Kernel, RuleTable {
    final List<byte[]> rules = new ArrayList<>();
    int enabled = 1;
    int pid = SELF;
    Set<Integer> alive = Set.of(SELF);
    boolean refuseChanges;
    int enables;
    int takes;

    FakeKernel() {
      for (AuditRule r : DESIRED) {
        rules.add(AuditRuleCodec.encode(r));
      }
    }

    @Override
    public AuditStatus status() {
      return new AuditStatus(0, enabled, 1, pid, 0, 8192, 0, 0);
    }

    @Override
    public RuleTable rules() {
      return this;
    }

    @Override
    public void enable() throws IOException {
      enables++;
      refuseIfLocked();
      enabled = 1;
    }

    @Override
    public void takeDaemonSlot() throws IOException {
      takes++;
      refuseIfLocked();
      pid = SELF;
    }

    @Override
    public boolean alive(int p) {
      return alive.contains(p);
    }

    @Override
    public String describe(int p) {
      return "pid " + p + " (auditd)";
    }

    @Override
    public List<byte[]> list() {
      return List.copyOf(rules);
    }

    @Override
    public void add(byte[] rule) throws IOException {
      refuseIfLocked();
      rules.add(rule.clone());
    }

    @Override
    public void delete(byte[] rule) throws IOException {
      refuseIfLocked();
      rules.removeIf(r -> Arrays.equals(r, rule));
    }

    private void refuseIfLocked() throws IOException {
      if (refuseChanges) {
        throw new IOException("Operation not permitted (simulated)");
      }
    }

    /** {@code auditctl -D -k KEY} for the first n of the agent's rules. */
    void deleteRules(int n) {
      for (int i = 0; i < n; i++) {
        rules.remove(0);
      }
    }

    long ours() {
      return rules.stream()
          .filter(r -> AuditRuleCodec.decode(r).key().map(KEY::equals).orElse(false))
          .count();
    }
  }

  private final FakeKernel kernel = new FakeKernel();
  private final List<TamperNotice> notices = new ArrayList<>();
  private long wall = 1_000_000_000L;

  private AuditGuard guard(boolean holdsSlot) {
    return new AuditGuard(
        KEY, DESIRED, holdsSlot, SELF, kernel, notices::add, () -> wall, INTERVAL, 0);
  }

  @Test
  void checksOnlyOnceAnIntervalHasPassed() {
    AuditGuard g = guard(true);
    kernel.deleteRules(DESIRED.size());
    g.maybeCheck(INTERVAL - 1);
    assertEquals(List.of(), notices, "not due yet");
    assertEquals(0, kernel.ours());
    g.maybeCheck(INTERVAL);
    assertEquals(1, notices.size());
    assertEquals(DESIRED.size(), kernel.ours());
    kernel.deleteRules(1);
    g.maybeCheck(INTERVAL * 2 - 1);
    assertEquals(1, notices.size(), "the next check is an interval after the last");
    g.maybeCheck(INTERVAL * 2);
    assertEquals(2, notices.size());
  }

  @Test
  void removedRulesAreReportedWithTheirCountAndPutBack() {
    AuditGuard g = guard(true);
    g.check();
    assertEquals(List.of(), notices, "all in place");
    kernel.deleteRules(3);
    wall = 7_000_000_000L;
    g.check();
    assertEquals(1, notices.size());
    TamperNotice n = notices.get(0);
    assertEquals("audit_rules_removed", n.getKind());
    assertTrue(
        n.getDetail()
            .startsWith("3 of " + DESIRED.size() + " audit rules with key " + KEY + " missing"),
        n.getDetail());
    assertTrue(n.getRestored());
    assertEquals(7_000_000_000L, n.getDetectedNs());
    assertEquals(DESIRED.size(), kernel.ours(), "put back");
    assertEquals("", g.problem());
    g.check();
    assertEquals(1, notices.size(), "reported once");
  }

  @Test
  void rulesThatCannotBePutBackAreReportedOnceAndDegradeUntilTheyAreBack() {
    AuditGuard g = guard(true);
    kernel.deleteRules(DESIRED.size());
    kernel.refuseChanges = true;
    g.check();
    assertEquals(1, notices.size());
    assertFalse(notices.get(0).getRestored());
    assertTrue(notices.get(0).getDetail().contains("adding them back failed"), notices.toString());
    assertTrue(g.problem().contains("missing"), g.problem());
    g.check();
    assertEquals(1, notices.size(), "no new notice while it stays undone");
    kernel.refuseChanges = false;
    g.check();
    assertEquals(DESIRED.size(), kernel.ours(), "retried at each check");
    assertEquals("", g.problem());
    assertEquals(1, notices.size());
  }

  @Test
  void auditSwitchedOffIsSwitchedBackOn() {
    AuditGuard g = guard(false);
    kernel.enabled = 0;
    g.check();
    assertEquals(1, kernel.enables);
    assertEquals(1, kernel.enabled);
    assertEquals(1, notices.size());
    assertEquals("audit_disabled", notices.get(0).getKind());
    assertTrue(notices.get(0).getRestored());
    g.check();
    assertEquals(1, notices.size());
  }

  @Test
  void anotherAuditDaemonInTheSlotIsReportedButNotFought() {
    AuditGuard g = guard(true);
    kernel.pid = 777;
    kernel.alive = Set.of(SELF, 777);
    g.check();
    assertEquals(0, kernel.takes, "a live daemon keeps the slot");
    assertEquals(1, notices.size());
    TamperNotice n = notices.get(0);
    assertEquals("audit_daemon_replaced", n.getKind());
    assertTrue(n.getDetail().contains("pid 777 (auditd)"), n.getDetail());
    assertTrue(n.getDetail().contains("does not take it back"), n.getDetail());
    assertFalse(n.getRestored());
    assertTrue(g.problem().contains("pid 777"), g.problem());
    g.check();
    assertEquals(1, notices.size(), "reported once per holder");

    kernel.pid = 0; // it exited
    g.check();
    assertEquals(1, kernel.takes);
    assertEquals(SELF, kernel.pid);
    assertEquals(2, notices.size());
    assertTrue(notices.get(1).getRestored(), notices.toString());
    assertEquals("", g.problem());
  }

  @Test
  void aFreeSlotIsTakenBackOnlyWhenTheSourceHadTakenIt() {
    kernel.pid = 0;
    AuditGuard multicast = guard(false);
    multicast.check();
    assertEquals(0, kernel.takes);
    assertEquals(List.of(), notices);

    AuditGuard daemon = guard(true);
    daemon.check();
    assertEquals(1, kernel.takes);
    assertEquals(1, notices.size());
    assertEquals("audit_daemon_replaced", notices.get(0).getKind());
    assertTrue(notices.get(0).getRestored());
  }
}
