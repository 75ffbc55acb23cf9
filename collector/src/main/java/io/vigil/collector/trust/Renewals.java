package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore;
import io.vigil.common.metrics.MetricsRegistry;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews agent certificates asked for on an authenticated stream, for the agent id of the stream's
 * certificate (never one named in the request). An expired certificate cannot be renewed: its
 * stream is refused before any message. Thread-safe; blocks on the store.
 */
public final class Renewals {
  /** An agent may renew once in this long. */
  static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(Renewals.class);

  private final TrustStore store;
  private final AgentIssuer issuer;
  private final RevokedAgents revoked;
  private final Clock clock;
  private final MetricsRegistry metrics;
  private final Map<String, Instant> lastAttempt = new ConcurrentHashMap<>();

  Renewals(
      TrustStore store,
      AgentIssuer issuer,
      RevokedAgents revoked,
      Clock clock,
      MetricsRegistry metrics) {
    this.store = store;
    this.issuer = issuer;
    this.revoked = revoked;
    this.clock = clock;
    this.metrics = metrics;
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
    Instant now = clock.instant();
    Instant last = lastAttempt.get(id);
    if (last != null && now.isBefore(last.plus(MIN_INTERVAL))) {
      return refuse(
          id,
          "too_often",
          "renewal refused: this agent renewed less than a minute ago (at " + last + ")");
    }
    lastAttempt.put(id, now);
    PublicKey key;
    try {
      key = AgentCsr.publicKey(csr);
    } catch (AgentCsr.BadCsrException e) {
      return refuse(id, "invalid", e.getMessage());
    }
    AgentIssuer.Issued issued = issuer.issue(id, key);
    store.addCertificate(issued.serialHex(), id, issued.issuedNs(), issued.notAfterNs(), "renewed");
    count("renewed");
    log.info(
        "renewed the certificate of agent {} (serial {} replaced by {}, valid until {})",
        id,
        agent.serialHex(),
        issued.serialHex(),
        issued.certificate().getNotAfter().toInstant());
    return new Outcome(issued.chainPem(issuer.caCertificate()), issued.notAfterNs(), "");
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
