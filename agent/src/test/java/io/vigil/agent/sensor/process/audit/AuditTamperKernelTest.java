package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.TamperNotice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent's audit rules deleted by hand ({@code auditctl -D -k KEY}) with the real kernel: the
 * source's check reports it and the rules are back. The rules carry a key of this test only.
 */
@Tag("kernel")
class AuditTamperKernelTest {
  private KernelAuditFixture kernel;
  private final String key = "vigil-test-tamper-" + UUID.randomUUID().toString().substring(0, 8);
  private final LinkedBlockingQueue<TamperNotice> notices = new LinkedBlockingQueue<>();

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
  void rulesDeletedWithAuditctlAreReportedAndPutBack() throws Exception {
    AuditSourceOptions d = AuditSourceOptions.defaults(key);
    AuditSource source =
        new AuditSource(
            new AuditSourceOptions(
                key,
                d.backlogLimit(),
                d.networkRules(),
                d.receiveBufferBytes(),
                d.receiveTimeout(),
                d.statusPollInterval(),
                d.maxEventAge(),
                Duration.ofSeconds(1)),
            notices::add);
    try {
      source.start(e -> {});
      int installed = kernel.rulesWithKey(key).size();
      assertEquals(7, installed);
      Thread.sleep(2500);
      assertEquals(null, notices.poll(), "nothing to report while the rules are in place");

      auditctl("-D", "-k", key);
      assertEquals(0, kernel.rulesWithKey(key).size(), "auditctl deleted them");

      TamperNotice n = notices.poll(30, TimeUnit.SECONDS);
      assertNotNull(n, "a notice within 30 s");
      assertEquals("audit_rules_removed", n.getKind());
      assertTrue(
          n.getDetail().startsWith("7 of 7 audit rules with key " + key + " missing"),
          n.getDetail());
      assertTrue(n.getRestored(), n.getDetail());
      assertEquals(installed, kernel.rulesWithKey(key).size(), "the rules are back");
      assertFalse(source.degraded(), source.reason());
      Thread.sleep(2500);
      assertEquals(null, notices.poll(), "reported once");
    } finally {
      source.close();
    }
    assertEquals(0, kernel.rulesWithKey(key).size(), "removed at close");
  }

  private static void auditctl(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "/usr/sbin/auditctl";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "auditctl finished");
    assertEquals(0, p.exitValue(), "auditctl " + String.join(" ", args) + ": " + out);
  }
}
