package io.vigil.collector.trust;

import io.vigil.collector.config.EnrollmentSection;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.TrustStore;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.ServerPki;
import io.vigil.common.metrics.MetricsRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A collector's trust on a real database and CA in a test directory, with a clock the test moves.
 * Also the helper other collector tests use to enrol an agent and get its key and certificate.
 */
public final class TrustFixture implements AutoCloseable {
  public final Path db;
  public final ServerPki.Paths pki;
  public final CertificateAuthority ca;
  public final TestClock clock = new TestClock();
  public final MetricsRegistry metrics;
  public final CollectorTrust trust;
  public final EventStore events;

  public TrustFixture(Path dir, MetricsRegistry metrics, CollectorTrust.StreamCloser streams)
      throws Exception {
    this(dir, metrics, streams, EnrollmentSection.defaults());
  }

  public TrustFixture(
      Path dir,
      MetricsRegistry metrics,
      CollectorTrust.StreamCloser streams,
      EnrollmentSection config)
      throws Exception {
    this.metrics = metrics;
    Path p = dir.resolve("pki");
    pki =
        ServerPki.ensure(
            new ServerPki.Paths(
                p.resolve("ca.pem"),
                p.resolve("ca.key"),
                p.resolve("server.pem"),
                p.resolve("server.key")),
            List.of());
    ca = ServerPki.loadAuthority(pki);
    db = dir.resolve("vigil.db");
    events = EventStore.open(db); // creates and migrates the database
    trust = new CollectorTrust(TrustStore.open(db), ca, config, clock, metrics, streams);
  }

  /** A new token with {@code uses} uses, valid a day. */
  public String token(int uses) {
    return trust.createEnrollmentToken("tester", Duration.ofDays(1), uses, "").token();
  }

  /** Enrols over {@link Enrollments} (no network) with a fresh P-256 key. */
  public Enrolled enrol(String proposedId) throws Exception {
    KeyPair kp = Csrs.p256();
    Enrollments.Enrolled e =
        trust
            .enrollments()
            .enrol(
                new Enrollments.Request(
                    token(1), Csrs.csr(kp), proposedId, "host-" + proposedId, "1.0", "test"));
    return new Enrolled(e, kp);
  }

  /** Enrols a new agent with a random id. */
  public Enrolled enrol() throws Exception {
    return enrol(UUID.randomUUID().toString());
  }

  /** An enrolled agent with its key. */
  public record Enrolled(Enrollments.Enrolled response, KeyPair keys) {
    public String agentId() {
      return response.agentId();
    }

    public String keyPem() {
      return io.vigil.common.pki.Pem.of(keys.getPrivate());
    }
  }

  @Override
  public void close() {
    try (events) {
      trust.close();
    }
  }
}
