package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.sensor.process.audit.rules.AuditArch;
import io.vigil.agent.sensor.process.audit.rules.AuditRule;
import io.vigil.agent.sensor.process.audit.rules.AuditRuleCodec;
import io.vigil.agent.sensor.process.audit.rules.RuleReconciler;
import io.vigil.agent.sensor.process.audit.rules.StandardRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class AuditRuleKernelTest {
  private static final Path AUDITCTL = Path.of("/usr/sbin/auditctl");
  private KernelAuditFixture kernel;

  @BeforeEach
  void setUp() throws IOException {
    kernel = KernelAuditFixture.acquire();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (kernel != null) {
      kernel.close();
    }
  }

  @Test
  void rulesAddedComeBackEqualFromTheKernel() throws IOException {
    String key = "vigil-test-rules-" + ProcessHandle.current().pid();
    List<AuditRule> rules = StandardRules.forAgent(key, 4242, true);
    for (AuditRule r : rules) {
      kernel.control.addRule(AuditRuleCodec.encode(r));
    }

    assertEquals(rules, kernel.rulesWithKey(key));
  }

  @Test
  void auditctlPrintsTheRulesAsWritten() throws Exception {
    assumeTrue(Files.isExecutable(AUDITCTL), "auditctl is not installed");
    assumeTrue(AuditArch.current() == AuditArch.X86_64, "syscall names below are x86_64's");
    String key = "vigil-test-auditctl-" + ProcessHandle.current().pid();
    for (AuditRule r : StandardRules.forAgent(key, 4242, true)) {
      kernel.control.addRule(AuditRuleCodec.encode(r));
    }

    Process p = new ProcessBuilder(AUDITCTL.toString(), "-l").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();

    assertTrue(
        out.contains("-a always,exit -F arch=b64 -S execve,execveat -F success=1 -F key=" + key),
        out);
    for (String fam : List.of("2", "10")) {
      assertTrue(
          out.contains(
              "-a always,exit -F arch=b64 -S connect -F saddr_fam="
                  + fam
                  + " -F pid!=4242 -F key="
                  + key),
          out);
      assertTrue(
          out.contains(
              "-a always,exit -F arch=b64 -S accept,accept4 -F saddr_fam="
                  + fam
                  + " -F success=1 -F pid!=4242 -F key="
                  + key),
          out);
    }
    for (String family : List.of("0x2", "0xA")) {
      assertTrue(
          out.contains(
              "-a always,exit -F arch=b64 -S socket -F a0="
                  + family
                  + " -F success=1 -F pid!=4242 -F key="
                  + key),
          out);
    }
  }

  @Test
  void reconcilingReplacesOurStaleRuleAndLeavesAnotherKeysRuleAlone() throws IOException {
    String ours = "vigil-test-stale";
    String other = "vigil-test-other";
    AuditArch arch = AuditArch.current();
    AuditRule stale =
        AuditRule.exitAlways(
            arch, Set.of(arch.connect()), List.of(AuditRule.Condition.pidNot(999_999)), ours);
    AuditRule someoneElses = AuditRule.exitAlways(arch, Set.of(arch.execve()), List.of(), other);
    kernel.control.addRule(AuditRuleCodec.encode(stale));
    kernel.control.addRule(AuditRuleCodec.encode(someoneElses));
    List<AuditRule> desired =
        StandardRules.forAgent(ours, (int) ProcessHandle.current().pid(), true);

    RuleReconciler.Result result =
        RuleReconciler.reconcile(new NetlinkRuleTable(kernel.control), ours, desired);

    assertEquals(List.of(stale), result.removed());
    assertEquals(desired, result.added());
    assertEquals(Set.copyOf(desired), Set.copyOf(kernel.rulesWithKey(ours)));
    assertEquals(desired.size(), kernel.rulesWithKey(ours).size());
    assertEquals(List.of(someoneElses), kernel.rulesWithKey(other));
  }
}
