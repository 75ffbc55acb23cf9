package io.vigil.agent.enroll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.EnrolmentFiles;
import io.vigil.agent.pki.TestCa;
import io.vigil.agent.ship.FakeCollector;
import io.vigil.common.pki.Fingerprint;
import io.vigil.common.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vigil-agent enroll} against a real TLS gRPC server standing in for the collector. */
class EnrollCommandTest {
  @TempDir Path dir;

  private TestCa ca;
  private FakeCollector collector;
  private Path tokenFile;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    ca = TestCa.create("test CA");
    collector = FakeCollector.start(ca, dir.resolve("server"));
    tokenFile = secretFile("token", FakeCollector.GOOD_TOKEN + "\n");
  }

  @AfterEach
  void stop() throws Exception {
    if (collector != null) {
      collector.close();
    }
  }

  private Path secretFile(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private Path stateDir() {
    return dir.resolve("agent");
  }

  private int enroll(String fingerprint, String... extra) {
    return enrollWithStdin("", fingerprint, extra);
  }

  private int enrollWithStdin(String stdin, String fingerprint, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--collector",
                "127.0.0.1:" + collector.port(),
                "--ca-fingerprint",
                fingerprint,
                "--set",
                "agent.state_dir=" + stateDir()));
    if (List.of(extra).stream().noneMatch(a -> a.startsWith("--token-file"))) {
      args.addAll(List.of("--token-file", tokenFile.toString()));
    }
    args.addAll(List.of(extra));
    return new EnrollCommand(
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(),
            "test")
        .run(args.toArray(String[]::new));
  }

  private String fingerprint() {
    return Fingerprint.sha256(ca.certificate());
  }

  private String diagnostics() {
    return "stdout:\n"
        + out.toString(StandardCharsets.UTF_8)
        + "\nstderr:\n"
        + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void enrolmentWritesTheContractsFilesWithTheirModes() throws Exception {
    assertEquals(0, enroll(fingerprint()), diagnostics());

    EnrolmentFiles files = EnrolmentFiles.under(stateDir());
    UUID id = UUID.fromString(Files.readString(stateDir().resolve("agent-id")).trim());
    assertEquals(1, collector.enrollments.size());
    assertEquals(FakeCollector.GOOD_TOKEN, collector.enrollments.get(0).getToken());
    assertEquals(id.toString(), collector.enrollments.get(0).getProposedAgentId());
    assertEquals("test", collector.enrollments.get(0).getAgentVersion());

    assertEquals("rwx------", mode(files.dir()));
    assertEquals("rw-------", mode(files.key()));
    ClientCertificate c = ClientCertificate.load(files.certificate(), files.key());
    assertEquals(id, c.agentId().orElseThrow());
    assertEquals(2, c.chain().size(), "client certificate then CA certificate");
    assertEquals(
        fingerprint(), Fingerprint.sha256(Pem.certificates(Files.readString(files.ca())).get(0)));
    assertEquals(
        "127.0.0.1:" + collector.port(), Files.readString(files.collectorAddress()).trim());
    String stdout = out.toString(StandardCharsets.UTF_8);
    assertTrue(stdout.contains("enrolled: agent " + id), stdout);
    assertTrue(stdout.contains("certificate valid until"), stdout);
    assertFalse(stdout.contains("agent id changed"), stdout);
    assertFalse(
        stdout.contains(FakeCollector.GOOD_TOKEN)
            || diagnostics().contains(FakeCollector.GOOD_TOKEN));
  }

  @Test
  void anAgentIdAssignedByTheCollectorReplacesTheLocalOne() throws Exception {
    Files.createDirectories(stateDir());
    Files.writeString(stateDir().resolve("agent-id"), UUID.randomUUID() + "\n");
    UUID assigned = UUID.randomUUID();
    collector.assignId = assigned;
    assertEquals(0, enroll(fingerprint()), diagnostics());
    assertEquals(assigned.toString(), Files.readString(stateDir().resolve("agent-id")).trim());
    assertEquals("rw-------", mode(stateDir().resolve("agent-id")));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("agent id changed"), diagnostics());
    EnrolmentFiles files = EnrolmentFiles.under(stateDir());
    assertEquals(
        assigned, ClientCertificate.load(files.certificate(), files.key()).agentId().orElseThrow());
  }

  @Test
  void aWrongFingerprintIsRefusedBeforeTheTokenIsSent() throws Exception {
    String other = Fingerprint.sha256(TestCa.create("another CA").certificate());
    assertEquals(1, enroll(other), diagnostics());
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(
        e.contains(
            "the collector at 127.0.0.1:"
                + collector.port()
                + " presented CA fingerprint "
                + fingerprint()
                + "; expected "
                + other
                + ". Refusing to send the token."),
        e);
    assertTrue(collector.enrollments.isEmpty(), "the token must never reach the collector");
    assertFalse(Files.exists(EnrolmentFiles.under(stateDir()).dir()));
  }

  @Test
  void aChainThatHoldsThePinnedCaButWhoseLeafItDidNotSignIsRefused() throws Exception {
    collector.close();
    // Same name as the genuine CA (so the chain looks ordered), another key.
    TestCa impostor = TestCa.create("test CA");
    TestCa.Issued leaf = impostor.issueServer(List.of("127.0.0.1", "localhost"));
    // The impostor's leaf, followed by the genuine CA certificate it copied from the real
    // collector: the fingerprint is in the chain, but the leaf does not chain to it.
    collector =
        FakeCollector.start(
            ca, Pem.of(leaf.certificate()) + ca.pem(), leaf.keyPem(), dir.resolve("impostor"));
    assertEquals(1, enroll(fingerprint()), diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("does not validate against the pinned CA"),
        diagnostics());
    assertTrue(collector.enrollments.isEmpty());
  }

  @Test
  void theCollectorsHostNameIsVerified() throws Exception {
    collector.close();
    TestCa.Issued leaf = ca.issueServer(List.of("collector.example"));
    collector =
        FakeCollector.start(ca, ca.chainPem(leaf.certificate()), leaf.keyPem(), dir.resolve("n"));
    assertEquals(1, enroll(fingerprint()), diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("does not validate against the pinned CA"),
        diagnostics());
    assertTrue(collector.enrollments.isEmpty());
  }

  @Test
  void aRefusedTokenIsReportedWithTheCollectorsReason() throws Exception {
    Path bad = secretFile("bad", "vigil-enroll-" + "B".repeat(43));
    assertEquals(1, enroll(fingerprint(), "--token-file", bad.toString()), diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8)
            .contains("refused the enrolment: unknown, expired, used-up or revoked"),
        diagnostics());
    assertFalse(Files.exists(EnrolmentFiles.under(stateDir()).certificate()));
  }

  @Test
  void onlyThePinnedCaIsWrittenWhenTheAnswerCarriesAnotherOne() throws Exception {
    TestCa other = TestCa.create("smuggled CA");
    collector.extraCaPem = other.pem();
    assertEquals(0, enroll(fingerprint()), diagnostics());

    List<java.security.cert.X509Certificate> written =
        Pem.certificates(Files.readString(EnrolmentFiles.under(stateDir()).ca()));
    assertEquals(1, written.size(), "only the pinned CA becomes a trust anchor");
    assertEquals(fingerprint(), Fingerprint.sha256(written.get(0)));
  }

  @Test
  void theCollectorsRefusalIsPrintedWithItsControlCharactersEscaped() throws Exception {
    collector.tokenRefusal = "no\u001b[2J\u0007 such token";
    Path bad = secretFile("bad", "vigil-enroll-" + "B".repeat(43));
    assertEquals(1, enroll(fingerprint(), "--token-file", bad.toString()), diagnostics());
    String printed = err.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("refused the enrolment: no\\x1b[2J\\x07 such token"), printed);
    assertFalse(printed.contains("\u001b") || printed.contains("\u0007"), printed);
  }

  @Test
  void anUnreachableCollectorIsReported() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    collector.close();
    int code =
        new EnrollCommand(
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(),
                "test")
            .run(
                new String[] {
                  "--collector",
                  "127.0.0.1:" + port,
                  "--token-file",
                  tokenFile.toString(),
                  "--ca-fingerprint",
                  fingerprint(),
                  "--set",
                  "agent.state_dir=" + stateDir()
                });
    collector = null;
    assertEquals(1, code, diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("cannot reach the collector"), diagnostics());
  }

  @Test
  void anEnrolledAgentEnrolsAgainOnlyWithForce() throws Exception {
    assertEquals(0, enroll(fingerprint()), diagnostics());
    String first = Files.readString(EnrolmentFiles.under(stateDir()).certificate());
    assertEquals(2, enroll(fingerprint()), diagnostics());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("already enrolled"), diagnostics());
    assertEquals(1, collector.enrollments.size(), "nothing sent without --force");
    assertEquals(0, enroll(fingerprint(), "--force"), diagnostics());
    assertFalse(first.equals(Files.readString(EnrolmentFiles.under(stateDir()).certificate())));
  }

  @Test
  void theTokenCanComeFromStdin() throws Exception {
    assertEquals(
        0,
        enrollWithStdin(FakeCollector.GOOD_TOKEN + "\n", fingerprint(), "--token-file", "-"),
        diagnostics());
    assertEquals(FakeCollector.GOOD_TOKEN, collector.enrollments.get(0).getToken());
  }

  @Test
  void aTokenOnTheCommandLineIsRefused() {
    assertEquals(2, enroll(fingerprint(), FakeCollector.GOOD_TOKEN), diagnostics());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--token-file"), diagnostics());
    err.reset();
    assertEquals(2, enroll(fingerprint(), "--token", "x"), diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("--token does not exist"), diagnostics());
    assertTrue(collector.enrollments.isEmpty());
  }

  @Test
  void usageErrorsNameTheArgument() {
    assertEquals(2, enroll("abc"), diagnostics());
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("--ca-fingerprint: a SHA-256"),
        diagnostics());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
