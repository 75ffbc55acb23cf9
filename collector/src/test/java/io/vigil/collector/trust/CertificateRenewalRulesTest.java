package io.vigil.collector.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.EnrollmentSection;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Pem;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which of an agent's certificates may open a stream and renew: an old certificate dies once its
 * renewal was used, only the newest renews (unless its answer was lost), a renewal needs a new key,
 * and the rules survive a restart. Through {@link AgentAuthenticator} and {@link Renewals} on a
 * real database and CA, without the network.
 */
class CertificateRenewalRulesTest {
  @TempDir Path dir;

  private final MetricsRegistry metrics = new MetricsRegistry();

  private TrustFixture fixture() throws Exception {
    return new TrustFixture(dir, metrics, (id, why) -> {});
  }

  /** A certificate chain with its key, as an agent holds it. */
  private record Held(String chainPem, KeyPair keys) {
    X509Certificate leaf() {
      return chain(chainPem)[0];
    }

    String serial() {
      return leaf().getSerialNumber().toString(16);
    }
  }

  private static X509Certificate[] chain(String pem) {
    try {
      return Pem.certificates(pem).toArray(X509Certificate[]::new);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static AgentPrincipal auth(TrustFixture f, Held h)
      throws AgentAuthenticator.AuthRefusedException {
    return f.trust.authenticator().authenticate(chain(h.chainPem()));
  }

  private static String refusal(TrustFixture f, Held h) {
    return assertThrows(AgentAuthenticator.AuthRefusedException.class, () -> auth(f, h))
        .getMessage();
  }

  private static Held renew(TrustFixture f, AgentPrincipal p) throws Exception {
    KeyPair kp = Csrs.p256();
    Renewals.Outcome o = f.trust.renewals().renew(p, Csrs.csr(kp));
    assertEquals("", o.error());
    return new Held(o.certificateChainPem(), kp);
  }

  private static Held held(TrustFixture.Enrolled e) {
    return new Held(e.response().certificateChainPem(), e.keys());
  }

  @Test
  void anOldCertificateIsRefusedOnceItsRenewalHasBeenUsed() throws Exception {
    try (TrustFixture f = fixture()) {
      Held first = held(f.enrol());
      AgentPrincipal p1 = auth(f, first);
      Held second = renew(f, p1);
      // Not used yet: the old one still works (the agent may not have stored the new one).
      assertEquals(first.serial(), auth(f, first).serialHex());
      AgentPrincipal p2 = auth(f, second);
      String replaced = "certificate serial " + first.serial() + " was replaced by a renewal";
      assertEquals(replaced, refusal(f, first));
      // A stream already open with the old one ends at its next message.
      assertEquals(replaced, f.trust.authenticator().stillValid(p1).orElseThrow().description());
      assertTrue(f.trust.authenticator().stillValid(p2).isEmpty());
      assertEquals(
          2, metrics.value("vigil_collector_agent_auth_refused_total", "reason", "replaced"));
    }
  }

  @Test
  void onlyTheNewestCertificateRenewsUnlessTheNewestWasNeverUsed() throws Exception {
    try (TrustFixture f = fixture()) {
      Held first = held(f.enrol());
      AgentPrincipal p1 = auth(f, first);
      Held second = renew(f, p1);
      // The answer is lost: the agent comes back with its old certificate and asks again. Within
      // the interval that is refused (the real agent switches within seconds; a thief would not
      // wait)...
      f.clock.advance(Duration.ofSeconds(30));
      AgentPrincipal again = auth(f, first);
      String error = f.trust.renewals().renew(again, Csrs.csr(Csrs.p256())).error();
      assertTrue(error.contains("less than a minute ago"), error);
      // ...after it, while the newest was never used, the old one may renew.
      f.clock.advance(Duration.ofSeconds(31));
      Held third = renew(f, again);
      // Once the newest was used, an older one can neither connect nor renew.
      AgentPrincipal p3 = auth(f, third);
      assertTrue(refusal(f, second).endsWith(" was replaced by a renewal"));
      assertTrue(refusal(f, first).endsWith(" was replaced by a renewal"));
      f.clock.advance(Duration.ofMinutes(5));
      error = f.trust.renewals().renew(p1, Csrs.csr(Csrs.p256())).error();
      assertEquals(
          "renewal refused: certificate serial "
              + first.serial()
              + " is not this agent's newest; connect with the newest certificate",
          error);
      assertEquals(1, metrics.value("vigil_collector_renewals_total", "outcome", "not_newest"));
      assertEquals("", f.trust.renewals().renew(p3, Csrs.csr(Csrs.p256())).error());
    }
  }

  @Test
  void aRenewalMustBeForANewKey() throws Exception {
    try (TrustFixture f = fixture()) {
      Held first = held(f.enrol());
      AgentPrincipal p = auth(f, first);
      assertEquals(first.keys().getPublic(), p.key());
      String error = f.trust.renewals().renew(p, Csrs.csr(first.keys())).error();
      assertTrue(error.contains("key of the current certificate"), error);
      assertEquals(1, metrics.value("vigil_collector_renewals_total", "outcome", "same_key"));
      // Refused requests do not count towards the interval: a good one follows at once.
      assertEquals("", f.trust.renewals().renew(p, Csrs.csr(Csrs.p256())).error());
    }
  }

  @Test
  void aBadRequestDoesNotDelayTheGoodOne() throws Exception {
    try (TrustFixture f = fixture()) {
      AgentPrincipal p = auth(f, held(f.enrol()));
      assertEquals(
          "the key must be EC P-256, not RSA",
          f.trust.renewals().renew(p, Csrs.csr(Csrs.rsa())).error());
      Held next = renew(f, p);
      AgentPrincipal p2 = auth(f, next);
      String tooSoon = f.trust.renewals().renew(p2, Csrs.csr(Csrs.p256())).error();
      assertTrue(tooSoon.contains("less than a minute ago"), tooSoon);
    }
  }

  @Test
  void aShortValidityRenewsAfterATenthOfIt() throws Exception {
    assertEquals(Duration.ofSeconds(3), Renewals.minInterval(Duration.ofSeconds(30)));
    assertEquals(Duration.ofMinutes(1), Renewals.minInterval(Duration.ofDays(30)));
    try (TrustFixture f =
        new TrustFixture(
            dir, metrics, (id, why) -> {}, new EnrollmentSection(Duration.ofSeconds(30), 60))) {
      Held h = held(f.enrol());
      for (int i = 0; i < 3; i++) {
        AgentPrincipal p = auth(f, h);
        h = renew(f, p);
        String tooSoon = f.trust.renewals().renew(auth(f, h), Csrs.csr(Csrs.p256())).error();
        assertTrue(tooSoon.contains("less than 3.0 s ago"), tooSoon);
        f.clock.advance(Duration.ofSeconds(3));
      }
    }
  }

  @Test
  void afterARestartOnlyTheNewestAndThePreviousCertificateAreAccepted() throws Exception {
    Held first;
    Held second;
    Held third;
    Held fourth;
    try (TrustFixture f = fixture()) {
      first = held(f.enrol());
      second = renew(f, auth(f, first));
      f.clock.advance(Duration.ofMinutes(2));
      third = renew(f, auth(f, second));
      f.clock.advance(Duration.ofMinutes(2));
      fourth = renew(f, auth(f, third)); // never used before the restart
    }
    try (TrustFixture f = fixture()) {
      f.clock.advance(Duration.ofMinutes(5)); // past the first run's clock
      assertTrue(refusal(f, first).endsWith(" was replaced by a renewal"));
      assertTrue(refusal(f, second).endsWith(" was replaced by a renewal"));
      assertEquals(third.serial(), auth(f, third).serialHex());
      assertEquals(fourth.serial(), auth(f, fourth).serialHex());
      assertTrue(refusal(f, third).endsWith(" was replaced by a renewal"));
    }
  }

  @Test
  void aCertificateWrittenByDirectEnrolmentWhileRunningAuthenticates() throws Exception {
    try (TrustFixture f = fixture()) {
      String id = UUID.randomUUID().toString();
      DirectEnrollment.AgentCredentials c =
          DirectEnrollment.enrol(f.db, f.ca, id, "direct-host", Duration.ofDays(1));
      X509Certificate[] chain =
          Pem.certificates(c.certificateChainPem()).toArray(X509Certificate[]::new);
      assertEquals(id, f.trust.authenticator().authenticate(chain).agentId());
    }
  }

  @Test
  void aForeignIssuerIsQuotedWithoutItsControlCharacters() throws Exception {
    try (TrustFixture f = fixture()) {
      CertificateAuthority evil =
          CertificateAuthority.create("evil\n\u001b[2J CA", Duration.ofDays(1));
      KeyPair kp = Csrs.p256();
      X509Certificate cert =
          evil.issueAgent(
              kp.getPublic(),
              UUID.randomUUID().toString(),
              Instant.now().minusSeconds(60),
              Instant.now().plusSeconds(3600));
      String why =
          assertThrows(
                  AgentAuthenticator.AuthRefusedException.class,
                  () ->
                      f.trust
                          .authenticator()
                          .authenticate(new X509Certificate[] {cert, evil.certificate()}))
              .getMessage();
      assertTrue(why.startsWith("client certificate issued by \""), why);
      for (char ch : why.toCharArray()) {
        assertFalse(Character.isISOControl(ch), "control character in: " + why);
      }
      assertTrue(why.contains("\\x1b"), why);
    }
  }
}
