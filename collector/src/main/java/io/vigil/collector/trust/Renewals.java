package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews agent certificates asked for on an authenticated stream, for the agent id of the stream's
 * certificate (never one named in the request). An expired certificate cannot be renewed: its
 * stream is refused before any message.
 *
 * <p>Only the agent's newest certificate may renew, so a copy of a key that was already renewed
 * cannot mint itself a fresh certificate. One exception keeps an agent whose renewal answer was
 * lost from being stuck until its certificate expires: when the newest certificate has never
 * authenticated a stream and was issued at least {@link #minInterval} ago, any certificate that can
 * still authenticate (see {@link IssuedCertificates}) may renew. The request must be for a new key:
 * renewing the same key would keep a stolen key alive forever.
 *
 * <p>Thread-safe; one renewal per agent at a time; blocks on the store.
 */
public final class Renewals {
  /** Longest time an agent must wait between renewals. */
  static final Duration MAX_MIN_INTERVAL = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(Renewals.class);

  private final TrustStore store;
  private final AgentIssuer issuer;
  private final IssuedCertificates issued;
  private final RevokedAgents revoked;
  private final Clock clock;
  private final MetricsRegistry metrics;
  private final Duration minInterval;
  private final Map<String, Instant> lastRenewal = new ConcurrentHashMap<>();
  private final Map<String, Boolean> inProgress = new ConcurrentHashMap<>();

  Renewals(
      TrustStore store,
      AgentIssuer issuer,
      IssuedCertificates issued,
      RevokedAgents revoked,
      Duration validity,
      Clock clock,
      MetricsRegistry metrics) {
    this.store = store;
    this.issuer = issuer;
    this.issued = issued;
    this.revoked = revoked;
    this.minInterval = minInterval(validity);
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * How long an agent waits between renewals: a minute, or a tenth of the validity when that is
   * shorter (a 30 s certificate renews after 20 s; a minute's wait would let it expire).
   */
  static Duration minInterval(Duration validity) {
    Duration tenth = validity.dividedBy(10);
    return tenth.compareTo(MAX_MIN_INTERVAL) < 0 ? tenth : MAX_MIN_INTERVAL;
  }

  /**
   * The answer to a renewal: a new certificate chain, or the error (then the chain is empty and
   * {@code notAfterNs} 0).
   */
  public record Outcome(String certificateChainPem, long notAfterNs, String error) {
    static Outcome refused(String error) {
      return new Outcome("", 0, error);
    }
  }

  /** Renews the certificate of the stream's agent from the agent's new CSR. */
  public Outcome renew(AgentPrincipal agent, byte[] csr) {
    String id = agent.agentId();
    Optional<Revocation> r = revoked.get(id);
    if (r.isPresent()) {
      return refuse(id, "revoked", r.get().describe(id));
    }
    if (inProgress.putIfAbsent(id, Boolean.TRUE) != null) {
      return refuse(
          id, "busy", "renewal refused: another renewal of this agent is in progress; retry later");
    }
    try {
      return renewAlone(agent, csr);
    } finally {
      inProgress.remove(id);
    }
  }

  private Outcome renewAlone(AgentPrincipal agent, byte[] csr) {
    String id = agent.agentId();
    Instant now = clock.instant();
    Instant last = lastRenewal.get(id);
    if (last != null && now.isBefore(last.plus(minInterval))) {
      return refuse(
          id,
          "too_often",
          "renewal refused: this agent renewed less than "
              + describe(minInterval)
              + " ago (at "
              + last
              + ")");
    }
    String notNewest = notNewestProblem(agent, now);
    if (notNewest != null) {
      return refuse(id, "not_newest", notNewest);
    }
    PublicKey key;
    try {
      key = AgentCsr.publicKey(csr);
    } catch (AgentCsr.BadCsrException e) {
      return refuse(id, "invalid", e.getMessage());
    }
    if (agent.key() != null && Arrays.equals(key.getEncoded(), agent.key().getEncoded())) {
      return refuse(
          id,
          "same_key",
          "renewal refused: the request is for the key of the current certificate; make a new"
              + " key");
    }
    // Only a valid request counts towards the interval: a bad one must not delay the good one.
    lastRenewal.put(id, now);
    AgentIssuer.Issued cert = issuer.issue(id, key);
    store.addCertificate(cert.serialHex(), id, cert.issuedNs(), cert.notAfterNs(), "renewed");
    // After the store: a certificate the store did not keep must never authenticate.
    issued.add(
        new TrustStore.CertificateRow(cert.serialHex(), id, cert.issuedNs(), cert.notAfterNs()),
        WallClock.toNanos(now));
    count("renewed");
    log.info(
        "renewed the certificate of agent {} (serial {} replaced by {}, valid until {})",
        id,
        agent.serialHex(),
        cert.serialHex(),
        cert.certificate().getNotAfter().toInstant());
    return new Outcome(cert.chainPem(issuer.caCertificate()), cert.notAfterNs(), "");
  }

  /** Null when the stream's certificate may renew (see the class comment), else why not. */
  private String notNewestProblem(AgentPrincipal agent, Instant now) {
    Optional<IssuedCertificates.Cert> newest = issued.newest(agent.agentId());
    if (newest.isEmpty() || newest.get().serialHex().equals(agent.serialHex())) {
      return null;
    }
    boolean answerLost =
        !issued.replaced(agent.serialHex())
            && !now.isBefore(WallClock.toInstant(newest.get().issuedNs()).plus(minInterval));
    if (answerLost) {
      return null;
    }
    return "renewal refused: certificate serial "
        + agent.serialHex()
        + " is not this agent's newest; connect with the newest certificate";
  }

  private static String describe(Duration d) {
    return d.equals(Duration.ofMinutes(1)) ? "a minute" : d.toMillis() / 1000.0 + " s";
  }

  private Outcome refuse(String agentId, String reason, String error) {
    count(reason);
    log.warn("refused to renew the certificate of agent {}: {}", agentId, error);
    return Outcome.refused(error);
  }

  private void count(String outcome) {
    metrics
        .counter(
            "vigil_collector_renewals_total",
            "Certificate renewals asked for by agents, by outcome",
            "outcome",
            outcome)
        .inc();
  }
}
