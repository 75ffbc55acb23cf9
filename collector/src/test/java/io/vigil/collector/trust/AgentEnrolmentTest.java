package io.vigil.collector.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.TrustStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Pem;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentRecord;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSR checks, the certificate issued at enrolment, which agent id is kept, and revocation. */
class AgentEnrolmentTest {
  @TempDir Path dir;

  private final MetricsRegistry metrics = new MetricsRegistry();
  private final List<String> closed = new ArrayList<>();

  private TrustFixture fixture() throws Exception {
    return new TrustFixture(dir, metrics, (id, why) -> closed.add(id + ": " + why));
  }

  private static String badCsr(TrustFixture f, byte[] csr) {
    Enrollments.Request r = new Enrollments.Request(f.token(1), csr, "", "h", "1.0", "test");
    EnrollmentRefusedException e =
        assertThrows(EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(r));
    assertEquals(EnrollmentRefusedException.Kind.INVALID, e.kind());
    return e.getMessage();
  }

  @Test
  void onlyAWellSignedEcP256RequestIsAccepted() throws Exception {
    try (TrustFixture f = fixture()) {
      assertEquals("the key must be EC P-256, not RSA", badCsr(f, Csrs.csr(Csrs.rsa())));
      assertTrue(badCsr(f, Csrs.csr(Csrs.ec("secp384r1"))).startsWith("the key must be EC P-256"));
      assertEquals(
          "the certificate signing request is not PKCS#10 DER",
          badCsr(f, new byte[] {0x30, 0x03, 1, 2, 3}));
      assertEquals("the certificate signing request is empty", badCsr(f, new byte[0]));
      byte[] tampered = Csrs.csr(Csrs.p256());
      tampered[tampered.length - 5] ^= 0x01; // inside the signature
      assertEquals(
          "the signature of the certificate signing request is invalid", badCsr(f, tampered));
      // Refused requests took no token use.
      f.trust.enrollmentTokens().forEach(t -> assertEquals(1, t.getUsesLeft()));
    }
  }

  @Test
  void theCertificateNamesTheAgentAndIgnoresTheRequestedSubject() throws Exception {
    try (TrustFixture f = fixture()) {
      String id = UUID.randomUUID().toString();
      TrustFixture.Enrolled e = f.enrol(id);
      assertEquals(id, e.agentId());
      List<X509Certificate> chain = Pem.certificates(e.response().certificateChainPem());
      assertEquals(2, chain.size());
      X509Certificate cert = chain.get(0);
      assertEquals(f.ca.certificate(), chain.get(1));
      assertEquals(List.of(f.ca.certificate()), Pem.certificates(e.response().caCertificatePem()));
      cert.verify(f.ca.certificate().getPublicKey());
      assertEquals("CN=" + id + ",OU=agent,O=Vigil", cert.getSubjectX500Principal().getName());
      assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
      boolean[] ku = cert.getKeyUsage();
      assertTrue(ku[0], "digitalSignature");
      for (int i = 1; i < ku.length; i++) {
        assertFalse(ku[i], "key usage bit " + i);
      }
      assertEquals(-1, cert.getBasicConstraints());
      assertTrue(cert.getExtensionValue(Extension.authorityKeyIdentifier.getId()) != null);
      assertArrayEquals(e.keys().getPublic().getEncoded(), cert.getPublicKey().getEncoded());
      assertEquals(
          f.clock.instant().minus(Duration.ofMinutes(1)).getEpochSecond(),
          cert.getNotBefore().toInstant().getEpochSecond());
      assertEquals(
          f.clock.instant().plus(Duration.ofDays(30)).getEpochSecond(),
          cert.getNotAfter().toInstant().getEpochSecond());
      assertEquals(WallClock.toNanos(cert.getNotAfter().toInstant()), e.response().notAfterNs());
      AgentRecord r = f.trust.enrolledAgents().get(id);
      assertEquals("host-" + id, r.getHostname());
      assertEquals(e.response().notAfterNs(), r.getCertificateNotAfterNs());
      assertEquals(0, r.getRevokedNs());
      try (TrustStore store = TrustStore.open(f.db)) {
        assertEquals(Optional.of(id), store.certificateAgent(cert.getSerialNumber().toString(16)));
      }
    }
  }

  @Test
  void aProposedIdIsKeptOnlyWhenItIsACanonicalUuidNeverEnrolled() throws Exception {
    try (TrustFixture f = fixture()) {
      String id = UUID.randomUUID().toString();
      assertEquals(id, f.enrol(id).agentId());
      String second = f.enrol(id).agentId();
      assertNotEquals(id, second);
      assertEquals(second, UUID.fromString(second).toString());
      String upper = UUID.randomUUID().toString().toUpperCase();
      assertNotEquals(upper, f.enrol(upper).agentId());
      assertNotEquals("not-a-uuid", f.enrol("not-a-uuid").agentId());
      // A revoked id is never issued again either.
      f.trust.revokeAgent(id, "alice", "stolen laptop");
      assertNotEquals(id, f.enrol(id).agentId());
      assertEquals(5, f.trust.enrolledAgents().size());
    }
  }

  @Test
  void aProposedIdThatStreamedBeforeEnrolmentIsNotKept() throws Exception {
    try (TrustFixture f = fixture()) {
      String inAgents = UUID.randomUUID().toString();
      String inStreams = UUID.randomUUID().toString();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f.db);
          Statement st = c.createStatement()) {
        // As a collector before enrolment existed left them: history shown under these ids.
        st.execute(
            "INSERT INTO agents(agent_id, first_seen_ns, last_seen_ns) VALUES('"
                + inAgents
                + "', 1, 1)");
        st.execute(
            "INSERT INTO streams(agent_id, epoch, first_seen_ns) VALUES('"
                + inStreams
                + "', 'e', 1)");
      }
      assertNotEquals(inAgents, f.enrol(inAgents).agentId());
      assertNotEquals(inStreams, f.enrol(inStreams).agentId());
      String fresh = UUID.randomUUID().toString();
      assertEquals(fresh, f.enrol(fresh).agentId());
    }
  }

  @Test
  void revocationTextWithControlCharactersIsRefusedNamingTheArgument() throws Exception {
    try (TrustFixture f = fixture()) {
      String id = f.enrol().agentId();
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> f.trust.revokeAgent(id, "alice", "gone\n2026-01-01 INFO forged line"));
      assertTrue(e.getMessage().startsWith("reason must not contain control"), e.getMessage());
      assertTrue(e.getMessage().contains("U+000A at index 4"), e.getMessage());
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> f.trust.revokeAgent(id, "al\u001b[31mice", "gone"))
              .getMessage()
              .startsWith("by must not contain"));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> f.trust.revokeAgent(id, "alice", "gone \u202e evil"))
              .getMessage()
              .startsWith("reason must not contain"));
      assertEquals(0, f.trust.enrolledAgents().get(id).getRevokedNs());
      // Other text, backslashes and non-ASCII letters included, is fine.
      assertTrue(f.trust.revokeAgent(id, "Ægir", "C:\\temp key copied"));
    }
  }

  @Test
  void aStoredRevocationWithControlCharactersIsDescribedEscaped() {
    Revocation r = new Revocation(java.time.Instant.EPOCH, "a\nb", "x\u001by");
    assertEquals(
        "agent A is revoked since 1970-01-01T00:00:00Z by a\\x0ab: x\\x1by", r.describe("A"));
  }

  @Test
  void aTrustThatFailsToStartClosesItsStore() throws Exception {
    try (TrustFixture f = fixture()) {
      TrustStore store = TrustStore.open(f.db);
      assertThrows(
          IllegalArgumentException.class,
          () ->
              new CollectorTrust(
                  store,
                  f.ca,
                  new io.vigil.collector.config.EnrollmentSection(Duration.ofDays(1), 0),
                  f.clock,
                  metrics,
                  (id, why) -> {}));
      assertThrows(io.vigil.collector.store.StoreException.class, store::tokens);
    }
  }

  @Test
  void revokingMarksTheAgentAndClosesItsStreamOnce() throws Exception {
    try (TrustFixture f = fixture()) {
      String id = f.enrol().agentId();
      assertTrue(f.trust.revokeAgent(id, "alice", "stolen laptop"));
      assertFalse(f.trust.revokeAgent(id, "bob", "again"));
      assertThrows(
          NoSuchElementException.class,
          () -> f.trust.revokeAgent(UUID.randomUUID().toString(), "a", "b"));
      Map<String, AgentRecord> agents = f.trust.enrolledAgents();
      AgentRecord r = agents.get(id);
      assertEquals("alice", r.getRevokedBy());
      assertEquals("stolen laptop", r.getRevokeReason());
      assertEquals(WallClock.toNanos(f.clock.instant()), r.getRevokedNs());
      assertEquals(
          List.of(
              id
                  + ": agent "
                  + id
                  + " is revoked since "
                  + f.clock.instant()
                  + " by alice: stolen laptop"),
          closed);
    }
  }

  @Test
  void renewalIsRefusedForABadRequestTooSoonOrARevokedAgent() throws Exception {
    try (TrustFixture f = fixture()) {
      TrustFixture.Enrolled e = f.enrol();
      X509Certificate cert = Pem.certificates(e.response().certificateChainPem()).get(0);
      AgentPrincipal p =
          new AgentPrincipal(
              e.agentId(), cert.getSerialNumber().toString(16), cert.getNotAfter().toInstant());
      assertEquals(
          "the key must be EC P-256, not RSA",
          f.trust.renewals().renew(p, Csrs.csr(Csrs.rsa())).error());
      // The refused request does not count towards the interval.
      Renewals.Outcome ok = f.trust.renewals().renew(p, Csrs.csr(Csrs.p256()));
      assertEquals("", ok.error());
      assertTrue(
          f.trust
              .renewals()
              .renew(p, Csrs.csr(Csrs.p256()))
              .error()
              .contains("less than a minute"));
      assertTrue(
          f.trust.enrolledAgents().get(e.agentId()).getCertificateNotAfterNs()
              >= e.response().notAfterNs());
      f.trust.revokeAgent(e.agentId(), "alice", "gone");
      f.clock.advance(Duration.ofSeconds(61));
      Renewals.Outcome refused = f.trust.renewals().renew(p, Csrs.csr(Csrs.p256()));
      assertTrue(refused.error().endsWith(" by alice: gone"), refused.error());
      assertEquals("", refused.certificateChainPem());
    }
  }

  @Test
  void aRestartedCollectorStillKnowsWhoIsRevoked() throws Exception {
    String id;
    try (TrustFixture f = fixture()) {
      id = f.enrol().agentId();
      f.trust.revokeAgent(id, "alice", "gone");
    }
    try (TrustFixture f = fixture()) {
      AgentPrincipal p = new AgentPrincipal(id, "1", f.clock.instant().plusSeconds(600));
      assertTrue(
          f.trust
              .authenticator()
              .stillValid(p)
              .orElseThrow()
              .description()
              .endsWith(" by alice: gone"));
    }
  }
}
