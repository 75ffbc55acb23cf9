package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore;
import io.vigil.collector.store.TrustStore.TokenCheck;
import io.vigil.collector.store.TrustStore.TokenUse;
import io.vigil.collector.trust.EnrollmentRefusedException.Kind;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Pem;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import java.security.PublicKey;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrols agents: an enrolment token and a CSR in, a client certificate naming the agent's id out.
 * The token use, the agent row and the certificate row are one transaction, so a failure halfway
 * gives the token use back. Thread-safe; blocks on the store.
 */
public final class Enrollments {
  /** What the caller is told for every token refusal; the log says which of the four it was. */
  public static final String TOKEN_REFUSED =
      "enrolment token refused (unknown, expired, used up or revoked)";

  /** Longest token text accepted (tokens are 56 characters). */
  public static final int MAX_TOKEN_CHARS = 256;

  /** Longest host name accepted. */
  public static final int MAX_HOSTNAME_CHARS = 255;

  /** Longest agent version or proposed agent id accepted. */
  public static final int MAX_SHORT_CHARS = 64;

  private static final Logger log = LoggerFactory.getLogger(Enrollments.class);

  private final TrustStore store;
  private final AgentIssuer issuer;
  private final IssuedCertificates issued;
  private final AttemptLimiter limiter;
  private final Clock clock;
  private final MetricsRegistry metrics;

  Enrollments(
      TrustStore store,
      AgentIssuer issuer,
      IssuedCertificates issued,
      AttemptLimiter limiter,
      Clock clock,
      MetricsRegistry metrics) {
    this.store = store;
    this.issuer = issuer;
    this.issued = issued;
    this.limiter = limiter;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * What an agent asks with. {@code peer} is its address as {@code InetSocketAddress.toString()}
   * gives it ({@code /192.0.2.7:50123}): for the log, and without its port for the per-peer attempt
   * limit.
   */
  public record Request(
      String token,
      byte[] csr,
      String proposedAgentId,
      String hostname,
      String agentVersion,
      String peer) {}

  /** What an enrolled agent receives. */
  public record Enrolled(
      String agentId, String certificateChainPem, String caCertificatePem, long notAfterNs) {}

  /**
   * Enrols an agent.
   *
   * @throws EnrollmentRefusedException saying why not (a token refusal says only {@link
   *     #TOKEN_REFUSED}; the log names the reason, never the token)
   */
  public Enrolled enrol(Request r) throws EnrollmentRefusedException {
    // Sizes first: a request refused for its size takes no attempt from anyone's share.
    String problem = sizeProblem(r);
    if (problem != null) {
      count("invalid");
      log.warn("enrolment from {} refused: {}", r.peer(), problem);
      throw new EnrollmentRefusedException(Kind.INVALID, problem);
    }
    switch (limiter.tryAcquire(peerAddress(r.peer()))) {
      case PEER_FULL -> {
        count("too_many_from_peer");
        log.warn(
            "enrolment from {} refused: more attempts per minute from this address than its share",
            r.peer());
        throw new EnrollmentRefusedException(
            Kind.TOO_MANY, "too many enrolment attempts from this address; retry in a minute");
      }
      case ALL_FULL -> {
        count("too_many");
        log.warn("enrolment from {} refused: more attempts per minute than configured", r.peer());
        throw new EnrollmentRefusedException(
            Kind.TOO_MANY, "too many enrolment attempts; retry in a minute");
      }
      case TAKEN -> {}
    }
    PublicKey key;
    try {
      // Before the token is touched: a bad request does not use up a token.
      key = AgentCsr.publicKey(r.csr());
    } catch (AgentCsr.BadCsrException e) {
      count("invalid");
      log.warn("enrolment from {} refused: {}", r.peer(), e.getMessage());
      throw new EnrollmentRefusedException(Kind.INVALID, e.getMessage());
    }
    String hash = TokenText.sha256Hex(r.token());
    Outcome out =
        store.enrol(
            tx -> {
              long now = WallClock.toNanos(clock.instant());
              TokenCheck check = tx.useToken(hash, now);
              if (check.use() != TokenUse.USED) {
                return new Outcome(check, null, null);
              }
              String id = r.proposedAgentId();
              // Also not an id that streamed before enrolment existed: its history is shown to
              // viewers under that id, and a newcomer must not inherit it.
              if (!AgentIds.isCanonical(id) || tx.idKnown(id)) {
                do {
                  id = UUID.randomUUID().toString();
                } while (tx.idKnown(id));
              }
              AgentIssuer.Issued issued = issuer.issue(id, key);
              tx.addAgent(id, r.hostname(), check.tokenId(), now);
              tx.addCertificate(
                  issued.serialHex(), id, issued.issuedNs(), issued.notAfterNs(), "enrolled");
              return new Outcome(check, id, issued);
            });
    if (out.issued() == null) {
      count("token_" + out.check().use().name().toLowerCase(java.util.Locale.ROOT));
      log.warn(
          "enrolment from {} refused: token {}{}",
          r.peer(),
          out.check().use().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
          out.check().tokenId().isEmpty() ? "" : " (token id " + out.check().tokenId() + ")");
      throw new EnrollmentRefusedException(Kind.TOKEN, TOKEN_REFUSED);
    }
    // After the commit: a certificate the store did not keep must never authenticate.
    issued.add(
        new TrustStore.CertificateRow(
            out.issued().serialHex(),
            out.agentId(),
            out.issued().issuedNs(),
            out.issued().notAfterNs()),
        WallClock.toNanos(clock.instant()));
    count("enrolled");
    boolean kept = out.agentId().equals(r.proposedAgentId());
    log.info(
        "enrolled agent {} ({}) from {} with token {}{}; certificate serial {} valid until {}",
        out.agentId(),
        TerminalText.escape(r.hostname(), MAX_HOSTNAME_CHARS),
        r.peer(),
        out.check().tokenId(),
        kept || r.proposedAgentId().isEmpty()
            ? ""
            : " (proposed id not kept: only an id never enrolled nor seen streaming)",
        out.issued().serialHex(),
        out.issued().certificate().getNotAfter().toInstant());
    return new Enrolled(
        out.agentId(),
        out.issued().chainPem(issuer.caCertificate()),
        Pem.of(issuer.caCertificate()),
        out.issued().notAfterNs());
  }

  private record Outcome(TokenCheck check, String agentId, AgentIssuer.Issued issued) {}

  /** The address of a peer without its port: {@code /192.0.2.7:50123} gives {@code /192.0.2.7}. */
  static String peerAddress(String peer) {
    int colon = peer.lastIndexOf(':');
    return colon > 0 ? peer.substring(0, colon) : peer;
  }

  private static String sizeProblem(Request r) {
    if (r.token().length() > MAX_TOKEN_CHARS) {
      return "token is longer than " + MAX_TOKEN_CHARS + " characters";
    }
    if (r.csr().length > AgentCsr.MAX_BYTES) {
      return "csr is longer than " + AgentCsr.MAX_BYTES + " bytes";
    }
    if (r.hostname().length() > MAX_HOSTNAME_CHARS) {
      return "hostname is longer than " + MAX_HOSTNAME_CHARS + " characters";
    }
    if (r.proposedAgentId().length() > MAX_SHORT_CHARS) {
      return "proposed_agent_id is longer than " + MAX_SHORT_CHARS + " characters";
    }
    if (r.agentVersion().length() > MAX_SHORT_CHARS) {
      return "agent_version is longer than " + MAX_SHORT_CHARS + " characters";
    }
    return null;
  }

  private void count(String outcome) {
    metrics
        .counter(
            "vigil_collector_enrollments_total",
            "Enrolment attempts, by outcome (enrolled or why refused)",
            "outcome",
            outcome)
        .inc();
  }
}
