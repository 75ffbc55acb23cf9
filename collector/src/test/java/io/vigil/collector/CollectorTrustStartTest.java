package io.vigil.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.collector.stream.AgentClient;
import io.vigil.collector.tls.ServerPki;
import io.vigil.collector.trust.DirectEnrollment;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.common.pki.Fingerprint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole collector's start with and without trust. */
class CollectorTrustStartTest {
  @TempDir Path dir;

  private CollectorConfig config() throws Exception {
    return CollectorConfig.load(
        Optional.empty(),
        Map.of(),
        List.of(
            "collector.state_dir=" + dir.resolve("state"),
            "listen.address=127.0.0.1:0",
            // Port 0: the default operator port may be taken by another collector on this host.
            "operator.address=127.0.0.1:0",
            "metrics.listen=",
            "detection.starter_rules=false"));
  }

  @Test
  void withTlsTheCollectorHasTrustOnItsCaAndKeepsTheCaKeyPrivate() throws Exception {
    try (Collector c = Collector.start(config(), false)) {
      TrustAdmin admin = c.trustAdmin().orElseThrow();
      Path ca = dir.resolve("state/pki/ca.pem");
      assertEquals(Fingerprint.sha256(ServerPki.readCertificate(ca)), admin.caFingerprint());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(dir.resolve("state/pki/ca.key"))));
      TrustAdmin.CreatedToken t = admin.createEnrollmentToken("admin", Duration.ofHours(1), 1, "");
      assertEquals(List.of(t.record()), admin.enrollmentTokens());
    }
    // A CA key someone made readable is made private again at the next start.
    Path key = dir.resolve("state/pki/ca.key");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    try (Collector c = Collector.start(config(), false)) {
      assertTrue(c.trustAdmin().isPresent());
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
      assertEquals(1, c.trustAdmin().get().enrollmentTokens().size());
    }
  }

  @Test
  void anAgentEnrolledDirectlyStreamsUntilItIsRevoked() throws Exception {
    try (Collector c = Collector.start(config(), false)) {
      String id = UUID.randomUUID().toString();
      DirectEnrollment.AgentCredentials creds =
          DirectEnrollment.enrol(dir.resolve("state"), id, "web-1", Duration.ofDays(1));
      Path pki = dir.resolve("agent/pki");
      creds.writeTo(pki);
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve("agent.key"))));
      assertEquals(
          Files.readString(dir.resolve("state/pki/ca.pem")),
          Files.readString(pki.resolve("ca.pem")));
      try (AgentClient agent =
          new AgentClient(
                  c.port(),
                  Files.readString(pki.resolve("ca.pem")),
                  Files.readString(pki.resolve("agent.key")),
                  Files.readString(pki.resolve("agent.pem")))
              .hello(id)) {
        assertTrue(agent.next().hasWelcome());
        assertTrue(c.trustAdmin().orElseThrow().revokeAgent(id, "alice", "test"));
        Status s = agent.status();
        assertEquals(Status.Code.UNAUTHENTICATED, s.getCode());
        assertTrue(s.getDescription().endsWith(" by alice: test"), s.getDescription());
      }
      assertEquals("web-1", c.trustAdmin().get().enrolledAgents().get(id).getHostname());
    }
  }

  @Test
  void insecureHasNoTrust() throws Exception {
    try (Collector c = Collector.start(config(), true)) {
      assertTrue(c.trustAdmin().isEmpty());
    }
  }
}
