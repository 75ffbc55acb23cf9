package io.vigil.agent.pki;

import com.google.protobuf.ByteString;
import io.vigil.common.pki.Pem;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.RenewRequest;
import io.vigil.proto.v1.RenewResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's client certificate over the authenticated stream: asks with a request for a
 * NEW key when {@link RenewalSchedule} says so, writes the new key and certificate atomically when
 * the collector answers, and tells the caller to reconnect with them.
 *
 * <p>One request is outstanding at a time; a refused or failed one is retried after a twentieth of
 * the lifetime. Not thread-safe: owned by the shipper thread.
 */
public final class CertificateRenewal {
  private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);
  private static final Duration EXPIRED_LOG_INTERVAL = Duration.ofMinutes(1);

  /** Bound on collector- or certificate-provided text in a log line. */
  private static final int TEXT_MAX = 300;

  private final Path certFile;
  private final Path keyFile;
  private final Clock clock;
  private ClientCertificate current;
  private RenewalSchedule schedule;
  private KeyPair outstanding;
  private Instant nextCheck = Instant.MIN;
  private Instant lastExpiredLog = Instant.MIN;
  private long renewed;

  /**
   * @param certFile where the certificate chain is (re)written
   * @param keyFile where its key is (re)written
   */
  public CertificateRenewal(Path certFile, Path keyFile, Clock clock) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.clock = clock;
  }

  /**
   * A new stream starts with {@code certificate}: forget a request the old stream took with it and
   * check at once.
   */
  public void sessionStarted(ClientCertificate certificate) {
    current = certificate;
    schedule = new RenewalSchedule(certificate.notBefore(), certificate.notAfter());
    outstanding = null;
    nextCheck = Instant.MIN;
  }

  /** True while a request waits for its answer. */
  public boolean outstanding() {
    return outstanding != null;
  }

  /** Certificates renewed since start. */
  public long renewedCount() {
    return renewed;
  }

  /**
   * The request to send now, if one is due. Cheap when nothing is due: call it as often as the
   * shipper loops.
   */
  public Optional<RenewRequest> poll() {
    if (current == null || outstanding != null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (now.isBefore(nextCheck)) {
      return Optional.empty();
    }
    nextCheck = now.plus(schedule.checkInterval());
    switch (schedule.decide(now)) {
      case WAIT:
        return Optional.empty();
      case EXPIRED:
        if (!now.isBefore(lastExpiredLog.plus(EXPIRED_LOG_INTERVAL))) {
          lastExpiredLog = now;
          log.error(
              "client certificate expired at {}: re-enrol with vigil-agent enroll --force",
              current.notAfter());
        }
        return Optional.empty();
      case RENEW:
      default:
        break;
    }
    UUID id = current.agentId().orElse(null);
    if (id == null) {
      log.error(
          "client certificate {} names no agent id (subject {}): cannot renew it",
          certFile,
          TerminalText.escape(current.leaf().getSubjectX500Principal().getName(), TEXT_MAX));
      nextCheck = now.plus(schedule.retryAfterError());
      return Optional.empty();
    }
    try {
      KeyPair key = AgentKeys.generate();
      RenewRequest r =
          RenewRequest.newBuilder().setCsr(ByteString.copyFrom(AgentKeys.csr(key, id))).build();
      outstanding = key;
      log.info(
          "client certificate valid until {} is two thirds through its lifetime: asking the"
              + " collector for a new one",
          current.notAfter());
      return Optional.of(r);
    } catch (IOException e) {
      log.error("cannot make a certificate request: {}", e.getMessage());
      nextCheck = now.plus(schedule.retryAfterError());
      return Optional.empty();
    }
  }

  /**
   * Handles the collector's answer. Returns true when a new certificate and key were written: the
   * caller then ends the stream and reconnects with them.
   */
  public boolean accept(RenewResponse response) {
    KeyPair key = outstanding;
    outstanding = null;
    Instant now = clock.instant();
    if (key == null) {
      log.warn("collector sent a certificate renewal nobody asked for: ignored");
      return false;
    }
    Duration retry = schedule.retryAfterError();
    if (!response.getError().isEmpty()) {
      log.error(
          "collector refused to renew the client certificate: {}; asking again in {} s",
          TerminalText.escape(response.getError(), TEXT_MAX),
          retry.toSeconds());
      nextCheck = now.plus(retry);
      return false;
    }
    try {
      List<X509Certificate> chain = Pem.certificates(response.getCertificateChainPem());
      X509Certificate leaf = chain.get(0);
      if (!ClientCertificate.matches(key.getPrivate(), leaf.getPublicKey())) {
        throw new IOException("the certificate is not for the key this agent asked with");
      }
      if (!leaf.getNotAfter().toInstant().isAfter(now)) {
        throw new IOException("the certificate expired at " + leaf.getNotAfter().toInstant());
      }
      new CredentialFiles(certFile, keyFile)
          .replace(Pem.of(key.getPrivate()), response.getCertificateChainPem());
      renewed++;
      current = new ClientCertificate(chain, key.getPrivate());
      schedule = new RenewalSchedule(current.notBefore(), current.notAfter());
      log.info(
          "renewed the client certificate: valid until {}; reconnecting with it",
          current.notAfter());
      return true;
    } catch (IOException e) {
      log.error(
          "collector's certificate renewal is unusable: {}; asking again in {} s",
          TerminalText.escape(String.valueOf(e.getMessage()), TEXT_MAX),
          retry.toSeconds());
      nextCheck = now.plus(retry);
      return false;
    }
  }
}
