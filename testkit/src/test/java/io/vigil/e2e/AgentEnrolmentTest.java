package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.Poll;
import io.vigil.testkit.VigilProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enrolment, the real way, against a real collector: tokens from {@code vigilctl}, the CA pinned by
 * fingerprint, an agent that spools until enrolled, renewal of a short-lived certificate while
 * streaming, and a revoked agent refused with the reason.
 */
class AgentEnrolmentTest {
  @TempDir Path dir;

  @Test
  void theTokenNeverAppearsInACommandLineAndAUsedUpTokenIsRefused() throws Exception {
    try (Deployment d = new Deployment(dir).withoutEnrolment()) {
      d.startCollector();
      d.writeAgentConfigOnly();
      Path tokenFile = d.createEnrolmentToken();
      String token = Files.readString(tokenFile).trim();
      assertTrue(token.startsWith("vigil-enroll-"), "a token: " + token.length() + " chars");

      List<String> leaks = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean sawEnrol = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      Thread scanner =
          new Thread(
              () -> {
                while (!stop.get()) {
                  scanCommandLines(token, tokenFile, leaks, sawEnrol);
                }
              },
              "cmdline-scanner");
      scanner.start();
      Deployment.EnrolResult r;
      try {
        r = d.enrolAgent(tokenFile, d.caFingerprint());
      } finally {
        stop.set(true);
        scanner.join();
      }
      assertEquals(0, r.exitCode(), r.output());
      assertTrue(sawEnrol.get(), "the scan saw the enrolment process");
      assertTrue(leaks.isEmpty(), "the token in a command line: " + leaks);
      assertTrue(Files.exists(d.agentPki().resolve("agent.pem")));

      Deployment.EnrolResult again = d.enrolAgent(tokenFile, d.caFingerprint(), "--force");
      assertEquals(1, again.exitCode(), again.output());
      assertTrue(again.output().contains("refused the enrolment"), again.output());
    }
  }

  @Test
  void aWrongFingerprintKeepsTheTokenFromTheCollector() throws Exception {
    try (Deployment d = new Deployment(dir).withoutEnrolment()) {
      d.startCollector();
      d.writeAgentConfigOnly();
      Path tokenFile = d.createEnrolmentToken();
      Deployment.EnrolResult wrong = d.enrolAgent(tokenFile, "ab".repeat(32));
      assertEquals(1, wrong.exitCode(), wrong.output());
      assertTrue(
          wrong.output().contains("presented CA fingerprint " + d.caFingerprint()), wrong.output());
      assertTrue(wrong.output().contains("Refusing to send the token."), wrong.output());
      assertFalse(Files.exists(d.agentPki().resolve("agent.pem")));
      // The one-use token was never sent, so it still works.
      Deployment.EnrolResult right = d.enrolAgent(tokenFile, d.caFingerprint());
      assertEquals(0, right.exitCode(), right.output());
    }
  }

  @Test
  void anAgentSpoolsUntilEnrolledAndARevokedOneIsRefusedWithTheReason() throws Exception {
    long n = 500;
    try (Deployment d = new Deployment(dir).withoutEnrolment()) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 200, "status:", "  interval: 1s");
      Poll.until(
          Duration.ofSeconds(60),
          () -> "no 'not enrolled' in the agent log:\n" + agent.logText(),
          () -> agent.logText().contains("not enrolled: run vigil-agent enroll"));
      assertEquals(0, d.store().syntheticCount());

      Deployment.EnrolResult r = d.enrolAgent(d.createEnrolmentToken(), d.caFingerprint());
      assertEquals(0, r.exitCode(), r.output());
      d.awaitStored(n, Duration.ofMinutes(2), agent, collector);
      DeliveryTest.assertExactlyOnce(d.store().numbers(null), n);
      assertTrue(
          d.store().agentStatuses().stream()
              .flatMap(s -> s.getSensorsList().stream())
              .anyMatch(
                  s ->
                      s.getName().equals("collector")
                          && s.getDegraded()
                          && s.getReason().startsWith("not enrolled")),
          "a status spooled before the enrolment says why nothing was sent");

      String agentId = Files.readString(d.agentState().resolve("agent-id")).trim();
      assertEquals(
          0,
          d.vigilctl("agent", "revoke", agentId, "--reason", "test revocation"),
          d.lastToolLog());
      Poll.until(
          Duration.ofMinutes(2),
          () -> "no refusal in the agent log:\n" + Deployment.tail(agent.logText(), 4000),
          () ->
              agent.logText().contains("collector refused this agent:")
                  && agent.logText().contains("test revocation"));
      assertTrue(agent.isAlive(), "a refused agent keeps running and spooling");
      assertTrue(
          collector
              .logText()
              .lines()
              .anyMatch(
                  l ->
                      l.contains(agentId)
                          && l.contains("is revoked since")
                          && l.contains("test revocation")),
          "the collector logs the refusal with the reason:\n"
              + Deployment.tail(collector.logText(), 4000));
    }
  }

  @Test
  void aShortLivedCertificateIsRenewedWhileStreamingWithoutLoss() throws Exception {
    // 40 s at 100/s. Issued backdated a minute (AgentIssuer), the 45 s certificate is due 10 s
    // after its issue and checked every 10.5 s: renewed 10 to 21 s after the enrolment, mid-stream
    // with some 20 s to spare (each renewed one is due again 10 s later).
    long n = 4_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector("enrollment:", "  agent_certificate_validity: 45s");
      VigilProcess agent = d.startAgent(n, 100);
      String first = Files.readString(d.agentPki().resolve("agent.pem"));
      d.awaitStored(n, Duration.ofMinutes(5), agent, collector);
      assertFalse(
          first.equals(Files.readString(d.agentPki().resolve("agent.pem"))),
          "the certificate was renewed:\n" + Deployment.tail(agent.logText(), 4000));
      assertTrue(agent.logText().contains("renewed the client certificate"), agent.logText());
      DeliveryTest.assertExactlyOnce(d.store().numbers(null), n);
    }
  }

  private static void scanCommandLines(
      String token, Path tokenFile, List<String> leaks, AtomicBoolean sawEnrol) {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : procs) {
        String cmd;
        try {
          cmd =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
        } catch (IOException e) {
          continue; // gone meanwhile
        }
        if (cmd.contains(token)) {
          leaks.add(p.getFileName() + ": " + cmd);
        }
        // This test's own enrolment (by its token file): tests in a parallel fork enrol too.
        if (cmd.contains(" enroll ") && cmd.contains("--token-file " + tokenFile)) {
          sawEnrol.set(true);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
