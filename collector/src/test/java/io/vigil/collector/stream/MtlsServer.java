package io.vigil.collector.stream;

import io.vigil.collector.config.EnrollmentSection;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.trust.CollectorTrust;
import io.vigil.collector.trust.TrustFixture;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The agent port as the collector runs it: real Netty TLS on loopback, client certificates checked
 * against a real CA and trust tables, a real store behind it. For one test.
 */
final class MtlsServer implements AutoCloseable {
  /** ingest.max_upload_bytes of this server. */
  static final long UPLOAD_LIMIT = 4L << 20;

  /** ingest.max_concurrent_uploads of this server. */
  static final int MAX_UPLOADS = 2;

  final MetricsRegistry metrics = new MetricsRegistry();
  final ConnectedAgents agents = new ConnectedAgents();
  final TrustFixture trust;
  final IngestService ingest;
  final AgentStreamService service;
  final FileUploads uploads;
  final AgentStreamServer server;

  /** With revocation closing live streams at once (as the collector does). */
  MtlsServer(Path dir) throws Exception {
    this(dir, true, EnrollmentSection.defaults());
  }

  /**
   * @param closeOnRevoke false: a revocation does not close the live stream, so a test can see the
   *     per-message check do it
   */
  MtlsServer(Path dir, boolean closeOnRevoke, EnrollmentSection config) throws Exception {
    this(
        dir,
        closeOnRevoke,
        config,
        EnrollCallLimiter.DEFAULT_MAX_CONCURRENT,
        EnrollCallLimiter.DEFAULT_TIMEOUT);
  }

  /** With {@code maxEnrolls} Enroll calls at once, each closed after {@code enrollTimeout}. */
  MtlsServer(Path dir, int maxEnrolls, Duration enrollTimeout) throws Exception {
    this(dir, true, EnrollmentSection.defaults(), maxEnrolls, enrollTimeout);
  }

  private MtlsServer(
      Path dir,
      boolean closeOnRevoke,
      EnrollmentSection config,
      int maxEnrolls,
      Duration enrollTimeout)
      throws Exception {
    CollectorTrust.StreamCloser closer = closeOnRevoke ? agents::close : (id, why) -> {};
    trust = new TrustFixture(dir, metrics, closer, config);
    ingest = new IngestService(trust.events, IngestOptions.defaults(), metrics, List.of());
    uploads =
        new FileUploads(
            CollectedFiles.open(trust.db), UPLOAD_LIMIT, MAX_UPLOADS, metrics, () -> 42L);
    service =
        new AgentStreamService(
            ingest, agents, metrics, StreamLimits.defaults(1 << 20), "test", trust.trust, uploads);
    server =
        AgentStreamServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            trust.pki.serverCert(),
            trust.pki.serverKey(),
            false,
            service,
            1 << 20,
            maxEnrolls,
            enrollTimeout);
  }

  CollectorTrust admin() {
    return trust.trust;
  }

  String caPem() {
    return Pem.of(trust.ca.certificate());
  }

  /** A client with no certificate, trusting this collector's CA. */
  AgentClient anonymous() throws Exception {
    return new AgentClient(server.port(), caPem(), null, null);
  }

  /** A client presenting {@code chainPem} with {@code keyPem}. */
  AgentClient client(String keyPem, String chainPem) throws Exception {
    return new AgentClient(server.port(), caPem(), keyPem, chainPem);
  }

  /** A client enrolled through {@link io.vigil.collector.trust.Enrollments}. */
  AgentClient enrolled(TrustFixture.Enrolled e) throws Exception {
    return client(e.keyPem(), e.response().certificateChainPem());
  }

  long refused(String reason) {
    return (long) metrics.value("vigil_collector_agent_auth_refused_total", "reason", reason);
  }

  @Override
  public void close() {
    try (trust;
        ingest;
        uploads) {
      server.close();
    }
  }
}
