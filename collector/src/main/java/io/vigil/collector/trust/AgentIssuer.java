package io.vigil.collector.trust;

import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.common.pki.Pem;
import io.vigil.common.time.WallClock;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Makes agent client certificates from the collector CA: valid from a minute before now (clocks
 * differ a little) for the configured validity. Thread-safe.
 */
final class AgentIssuer {
  private static final Duration BACKDATE = Duration.ofMinutes(1);

  private final CertificateAuthority ca;
  private final Duration validity;
  private final Clock clock;

  AgentIssuer(CertificateAuthority ca, Duration validity, Clock clock) {
    this.ca = ca;
    this.validity = validity;
    this.clock = clock;
  }

  /** A certificate issued to an agent, with what the store records and the agent receives. */
  record Issued(X509Certificate certificate, long issuedNs) {
    String serialHex() {
      return certificate.getSerialNumber().toString(16);
    }

    long notAfterNs() {
      return WallClock.toNanos(certificate.getNotAfter().toInstant());
    }

    /** The certificate then the CA certificate, PEM. */
    String chainPem(X509Certificate caCert) {
      return Pem.of(certificate) + Pem.of(caCert);
    }
  }

  Issued issue(String agentId, PublicKey key) {
    Instant now = clock.instant();
    X509Certificate cert = ca.issueAgent(key, agentId, now.minus(BACKDATE), now.plus(validity));
    return new Issued(cert, WallClock.toNanos(now));
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }
}
