package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.PemFiles;
import io.vigil.collector.tls.ServerPki;
import io.vigil.common.pki.Pem;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;

/**
 * Enrols an agent without the network and without a token, straight into the collector's database:
 * for tests (the end-to-end harness gives its agent a certificate this way) and for provisioning by
 * someone who already holds the CA key. The key pair is made here, so it is meant for a machine the
 * caller controls. Safe while the collector runs (the trust tables are written in their own
 * transaction); blocks on disk I/O.
 */
public final class DirectEnrollment {
  /** The token id recorded for agents enrolled this way. */
  public static final String TOKEN_ID = "direct";

  private DirectEnrollment() {}

  /**
   * An enrolled agent's key and certificate.
   *
   * @param keyPem its private key, PKCS#8 PEM
   * @param certificateChainPem its certificate, then the CA certificate
   * @param caPem the CA certificate
   */
  public record AgentCredentials(
      String agentId, String keyPem, String certificateChainPem, String caPem) {

    /**
     * Writes the agent's files the way enrolment does: {@code agent.key} (0600), {@code agent.pem}
     * and {@code ca.pem} in {@code pkiDir}.
     */
    public void writeTo(Path pkiDir) throws IOException {
      PemFiles.write(pkiDir.resolve("agent.key"), keyPem, true);
      PemFiles.write(pkiDir.resolve("agent.pem"), certificateChainPem, false);
      PemFiles.write(pkiDir.resolve("ca.pem"), caPem, false);
    }
  }

  /**
   * {@link #enrol(Path, CertificateAuthority, String, String, Duration)} for a collector with the
   * default file layout: database {@code <stateDir>/vigil.db}, CA {@code <stateDir>/pki/ca.pem} and
   * {@code ca.key}. The collector must have started once (it makes both).
   */
  public static AgentCredentials enrol(
      Path collectorStateDir, String agentId, String hostname, Duration validity)
      throws IOException {
    Path pki = collectorStateDir.resolve("pki");
    CertificateAuthority ca =
        ServerPki.loadAuthority(
            new ServerPki.Paths(
                pki.resolve("ca.pem"),
                pki.resolve("ca.key"),
                pki.resolve("server.pem"),
                pki.resolve("server.key")));
    return enrol(collectorStateDir.resolve("vigil.db"), ca, agentId, hostname, validity);
  }

  /**
   * Enrols {@code agentId} (a canonical UUID never enrolled before) with a certificate valid for
   * {@code validity} from now (a negative validity makes one that has already expired, for tests).
   *
   * @param database the collector's database, already created by a collector start
   * @param ca the collector CA with its key, e.g. {@code ServerPki.loadAuthority(paths)}
   */
  public static AgentCredentials enrol(
      Path database, CertificateAuthority ca, String agentId, String hostname, Duration validity) {
    if (!AgentIds.isCanonical(agentId)) {
      throw new IllegalArgumentException("agentId must be a lower-case UUID, got " + agentId);
    }
    KeyPair kp = CertificateAuthority.newKeyPair();
    Clock clock = Clock.systemUTC();
    AgentIssuer.Issued issued =
        validity.isNegative()
            ? new AgentIssuer.Issued(
                ca.issueAgent(
                    kp.getPublic(),
                    agentId,
                    clock.instant().minus(validity.abs()).minus(Duration.ofHours(1)),
                    clock.instant().minus(validity.abs())),
                WallClock.toNanos(clock.instant()))
            : new AgentIssuer(ca, validity, clock).issue(agentId, kp.getPublic());
    try (TrustStore store = TrustStore.open(database)) {
      store.enrol(
          tx -> {
            if (tx.everEnrolled(agentId)) {
              throw new IllegalArgumentException("agent " + agentId + " is already enrolled");
            }
            tx.addAgent(agentId, hostname, TOKEN_ID, issued.issuedNs());
            tx.addCertificate(
                issued.serialHex(), agentId, issued.issuedNs(), issued.notAfterNs(), "enrolled");
            return null;
          });
    }
    return new AgentCredentials(
        agentId,
        Pem.of(kp.getPrivate()),
        issued.chainPem(ca.certificate()),
        Pem.of(ca.certificate()));
  }
}
