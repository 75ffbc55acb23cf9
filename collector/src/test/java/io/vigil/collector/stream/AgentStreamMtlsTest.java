package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vigil.collector.config.EnrollmentSection;
import io.vigil.collector.store.CommandResultRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.trust.Csrs;
import io.vigil.collector.trust.DirectEnrollment;
import io.vigil.collector.trust.Enrollments;
import io.vigil.collector.trust.TrustFixture;
import io.vigil.common.pki.Pem;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.EnrollRequest;
import io.vigil.proto.v1.EnrollResponse;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.RenewRequest;
import io.vigil.proto.v1.RenewResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent port with mutual TLS over real Netty on loopback: who gets a stream, with which agent
 * id, and what each refusal says.
 */
class AgentStreamMtlsTest {
  @TempDir Path dir;

  private static void assertWelcome(AgentClient c) throws Exception {
    CollectorMessage m = c.next();
    assertTrue(m.hasWelcome(), m.toString());
  }

  private static void assertEnded(AgentClient c, Status.Code code, String description)
      throws Exception {
    Status s = c.status();
    assertEquals(code, s.getCode(), s.toString());
    assertEquals(description, s.getDescription());
  }

  @Test
  void anAgentEnrolsOverTheNetworkAndStreamsWithItsCertificate() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir);
        AgentClient anonymous = srv.anonymous()) {
      String proposed = UUID.randomUUID().toString();
      KeyPair kp = Csrs.p256();
      String token = srv.trust.token(1);
      EnrollResponse r =
          anonymous
              .enrollment()
              .enroll(
                  EnrollRequest.newBuilder()
                      .setToken(token)
                      .setCsr(ByteString.copyFrom(Csrs.csr(kp)))
                      .setProposedAgentId(proposed)
                      .setHostname("web-1")
                      .setAgentVersion("1.0")
                      .build());
      assertEquals(proposed, r.getAgentId());
      assertEquals(List.of(srv.trust.ca.certificate()), Pem.certificates(r.getCaCertificatePem()));

      StatusRuntimeException used =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  anonymous
                      .enrollment()
                      .enroll(
                          EnrollRequest.newBuilder()
                              .setToken(token)
                              .setCsr(ByteString.copyFrom(Csrs.csr(Csrs.p256())))
                              .build()));
      assertEquals(Status.Code.UNAUTHENTICATED, used.getStatus().getCode());
      assertEquals(Enrollments.TOKEN_REFUSED, used.getStatus().getDescription());
      StatusRuntimeException rsa =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  anonymous
                      .enrollment()
                      .enroll(
                          EnrollRequest.newBuilder()
                              .setToken(srv.trust.token(1))
                              .setCsr(ByteString.copyFrom(Csrs.csr(Csrs.rsa())))
                              .build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, rsa.getStatus().getCode());
      assertEquals("the key must be EC P-256, not RSA", rsa.getStatus().getDescription());

      try (AgentClient agent =
          srv.client(Pem.of(kp.getPrivate()), r.getCertificateChainPem()).hello(proposed)) {
        assertWelcome(agent);
        assertEquals(java.util.Set.of(proposed), srv.agents.ids());
      }
    }
  }

  @Test
  void aStreamWithoutAClientCertificateIsRefused() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir);
        AgentClient c = srv.anonymous().hello(UUID.randomUUID().toString())) {
      assertEnded(
          c,
          Status.Code.UNAUTHENTICATED,
          "no client certificate: enrol this agent first with vigil-agent enroll");
      assertEquals(1, srv.refused("no_certificate"));
    }
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedNamingItsIssuer() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      CertificateAuthority evil = CertificateAuthority.create("evil CA", Duration.ofDays(1));
      KeyPair kp = Csrs.p256();
      String id = UUID.randomUUID().toString();
      X509Certificate cert =
          evil.issueAgent(
              kp.getPublic(), id, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
      try (AgentClient c =
          srv.client(Pem.of(kp.getPrivate()), Pem.of(cert) + Pem.of(evil.certificate()))
              .hello(id)) {
        assertEnded(
            c,
            Status.Code.UNAUTHENTICATED,
            "client certificate issued by \""
                + evil.certificate().getSubjectX500Principal().getName()
                + "\", not by this collector's CA");
      }
      assertEquals(1, srv.refused("foreign_ca"));
    }
  }

  @Test
  void anExpiredCertificateIsRefusedSayingWhenItExpired() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      String id = UUID.randomUUID().toString();
      DirectEnrollment.AgentCredentials creds =
          DirectEnrollment.enrol(srv.trust.db, srv.trust.ca, id, "old", Duration.ofMinutes(-5));
      X509Certificate cert = Pem.certificates(creds.certificateChainPem()).get(0);
      try (AgentClient c = srv.client(creds.keyPem(), creds.certificateChainPem()).hello(id)) {
        assertEnded(
            c,
            Status.Code.UNAUTHENTICATED,
            "client certificate expired at " + cert.getNotAfter().toInstant());
      }
      assertEquals(1, srv.refused("expired"));
    }
  }

  @Test
  void aCertificateThisCollectorNeverRecordedIsRefused() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      KeyPair kp = Csrs.p256();
      String id = UUID.randomUUID().toString();
      // Signed by the right CA key, but not issued through enrolment (e.g. a copied CA key).
      X509Certificate cert =
          srv.trust.ca.issueAgent(
              kp.getPublic(), id, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600));
      try (AgentClient c =
          srv.client(Pem.of(kp.getPrivate()), Pem.of(cert) + srv.caPem()).hello(id)) {
        assertEnded(
            c,
            Status.Code.UNAUTHENTICATED,
            "certificate serial "
                + cert.getSerialNumber().toString(16)
                + " was not issued by this collector");
      }
      assertEquals(1, srv.refused("unknown_serial"));
    }
  }

  @Test
  void aRevokedAgentIsClosedAtOnceAndRefusedOnReconnect() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      String revoked;
      try (AgentClient c = srv.enrolled(a).hello(a.agentId())) {
        assertWelcome(c);
        srv.admin().revokeAgent(a.agentId(), "alice", "stolen laptop");
        revoked =
            "agent "
                + a.agentId()
                + " is revoked since "
                + srv.trust.clock.instant()
                + " by alice: stolen laptop";
        assertEnded(c, Status.Code.UNAUTHENTICATED, revoked);
      }
      try (AgentClient again = srv.enrolled(a).hello(a.agentId())) {
        assertEnded(again, Status.Code.UNAUTHENTICATED, revoked);
      }
      assertEquals(1, srv.refused("revoked"));
    }
  }

  @Test
  void anOpenStreamIsClosedAtItsNextMessageAfterRevocationOrExpiry() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir, false, EnrollmentSection.defaults())) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      TrustFixture.Enrolled b = srv.trust.enrol();
      try (AgentClient ca = srv.enrolled(a).hello(a.agentId());
          AgentClient cb = srv.enrolled(b).hello(b.agentId())) {
        assertWelcome(ca);
        assertWelcome(cb);
        srv.admin().revokeAgent(a.agentId(), "alice", "gone");
        ca.send(pingResults("r1"));
        assertEnded(
            ca,
            Status.Code.UNAUTHENTICATED,
            "agent "
                + a.agentId()
                + " is revoked since "
                + srv.trust.clock.instant()
                + " by alice: gone");
        // Past the end of b's certificate (30 days): its next message ends the stream.
        srv.trust.clock.advance(Duration.ofDays(31));
        cb.send(pingResults("r2"));
        X509Certificate bCert = Pem.certificates(b.response().certificateChainPem()).get(0);
        assertEnded(
            cb,
            Status.Code.UNAUTHENTICATED,
            "client certificate expired at " + bCert.getNotAfter().toInstant());
      }
    }
  }

  @Test
  void aHelloClaimingAnotherAgentIsRefused() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      String b = srv.trust.enrol().agentId();
      try (AgentClient c = srv.enrolled(a).hello(b)) {
        assertEnded(
            c,
            Status.Code.PERMISSION_DENIED,
            "the Hello claims agent "
                + b
                + " but the client certificate names agent "
                + a.agentId());
      }
      assertEquals(1, srv.refused("wrong_agent"));
      assertTrue(srv.agents.ids().isEmpty());
    }
  }

  @Test
  void commandsAndResultsStayWithTheCertificatesAgent() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      TrustFixture.Enrolled b = srv.trust.enrol();
      try (AgentClient ca = srv.enrolled(a).hello(a.agentId());
          AgentClient cb = srv.enrolled(b).hello(b.agentId())) {
        assertWelcome(ca);
        assertWelcome(cb);
        assertTrue(srv.agents.send(b.agentId(), ping("for-b")));
        assertEquals("for-b", cb.next().getCommand().getCommandId());
        assertTrue(srv.agents.send(a.agentId(), ping("for-a")));
        // The first command a's stream ever gets is its own: b's never went down it.
        assertEquals("for-a", ca.next().getCommand().getCommandId());

        ca.send(pingResults("for-b")); // a answers b's command id: stored as a's, not b's
        assertEquals(List.of("for-b"), ca.next().getCommandResultAck().getCommandIdsList());
      }
      try (StoreReader reader = EventStore.openReadOnly(srv.trust.db)) {
        assertEquals(
            List.of("for-b"),
            reader.commandResults(a.agentId()).stream().map(CommandResultRow::commandId).toList());
        assertTrue(reader.commandResults(b.agentId()).isEmpty());
      }
    }
  }

  @Test
  void renewalGivesANewCertificateForTheSameAgentOncePerMinute() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      X509Certificate old = Pem.certificates(a.response().certificateChainPem()).get(0);
      KeyPair next = Csrs.p256();
      RenewResponse renewed;
      try (AgentClient c = srv.enrolled(a).hello(a.agentId())) {
        assertWelcome(c);
        c.send(renew(next));
        renewed = c.next().getRenewal();
        assertEquals("", renewed.getError());
        c.send(renew(Csrs.p256()));
        RenewResponse again = c.next().getRenewal();
        assertTrue(again.getError().contains("less than a minute ago"), again.getError());
        assertEquals("", again.getCertificateChainPem());
      }
      List<X509Certificate> chain = Pem.certificates(renewed.getCertificateChainPem());
      X509Certificate fresh = chain.get(0);
      assertEquals(
          old.getSubjectX500Principal().getName(), fresh.getSubjectX500Principal().getName());
      assertNotEquals(old.getSerialNumber(), fresh.getSerialNumber());
      assertEquals(srv.trust.ca.certificate(), chain.get(1));
      assertEquals(
          io.vigil.common.time.WallClock.toNanos(fresh.getNotAfter().toInstant()),
          renewed.getNotAfterNs());
      try (AgentClient c =
          srv.client(Pem.of(next.getPrivate()), renewed.getCertificateChainPem())
              .hello(a.agentId())) {
        assertWelcome(c);
      }
      // The new certificate has been used: the old one (a copy of the old key) is dead.
      try (AgentClient c = srv.enrolled(a).hello(a.agentId())) {
        assertEnded(
            c,
            Status.Code.UNAUTHENTICATED,
            "certificate serial "
                + old.getSerialNumber().toString(16)
                + " was replaced by a renewal");
      }
      assertEquals(1, srv.refused("replaced"));
    }
  }

  @Test
  void aThirdStreamOfOneAgentIsRefusedAtItsStart() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir)) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      try (AgentClient first = srv.enrolled(a).hello(a.agentId());
          AgentClient second = srv.enrolled(a).open()) {
        assertWelcome(first);
        // The second holds its slot from its start, before any message.
        awaitStreams(srv, a.agentId(), 2);
        try (AgentClient third = srv.enrolled(a).open()) {
          assertEnded(
              third,
              Status.Code.RESOURCE_EXHAUSTED,
              "too many streams for agent " + a.agentId() + " (at most 2 at once)");
        }
        assertEquals(1, srv.metrics.value("vigil_collector_streams_over_agent_limit_total"));
        // Another agent is not affected.
        TrustFixture.Enrolled b = srv.trust.enrol();
        try (AgentClient other = srv.enrolled(b).hello(b.agentId())) {
          assertWelcome(other);
        }
        second.close(); // its slot is given back when the collector sees the cancel
        awaitStreams(srv, a.agentId(), 1);
        try (AgentClient again = srv.enrolled(a).hello(a.agentId(), "e2")) {
          assertWelcome(again); // and supersedes the first
          assertEnded(
              first, Status.Code.ABORTED, "superseded by a newer stream from the same agent");
        }
      }
    }
  }

  @Test
  void noCommandGoesToARevokedAgentWhoseStreamIsStillOpen() throws Exception {
    try (MtlsServer srv = new MtlsServer(dir, false, EnrollmentSection.defaults())) {
      TrustFixture.Enrolled a = srv.trust.enrol();
      try (AgentClient c = srv.enrolled(a).hello(a.agentId())) {
        assertWelcome(c);
        srv.admin().revokeAgent(a.agentId(), "alice", "gone");
        assertFalse(srv.agents.send(a.agentId(), ping("never")));
        assertEnded(
            c,
            Status.Code.UNAUTHENTICATED,
            "agent "
                + a.agentId()
                + " is revoked since "
                + srv.trust.clock.instant()
                + " by alice: gone");
      }
    }
  }

  private static void awaitStreams(MtlsServer srv, String agentId, int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (srv.service.slots().streams(agentId) != n) {
      assertTrue(
          System.nanoTime() < deadline,
          "agent has " + srv.service.slots().streams(agentId) + " streams, expected " + n);
      Thread.sleep(10);
    }
  }

  private static Command ping(String id) {
    return Command.newBuilder().setCommandId(id).setPing(Ping.newBuilder().setNote("n")).build();
  }

  private static AgentMessage pingResults(String id) {
    return AgentMessage.newBuilder()
        .setCommandResults(
            CommandResultBatch.newBuilder()
                .addResults(
                    CommandResult.newBuilder()
                        .setCommandId(id)
                        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
                        .setDetail("pong")
                        .setFinishedTimeNs(1)))
        .build();
  }

  private static AgentMessage renew(KeyPair kp) throws Exception {
    return AgentMessage.newBuilder()
        .setRenew(RenewRequest.newBuilder().setCsr(ByteString.copyFrom(Csrs.csr(kp))))
        .build();
  }
}
