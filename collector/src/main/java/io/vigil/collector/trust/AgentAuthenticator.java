package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Decides whether a client certificate chain may open an agent stream, and whether an open stream
 * may go on.
 *
 * <p>The TLS layer accepts any client chain (it still proves that the client holds the key); this
 * class then checks it against the collector's CA (PKIX: signature, validity now, EKU clientAuth),
 * that this collector issued its serial, and that the agent is not revoked. Doing it here rather
 * than in the TLS trust manager gives both sides a clear reason: a trust manager can only abort the
 * handshake with an opaque alert, which the agent reports as "UNAVAILABLE: ssl exception" and the
 * collector as a failed handshake with no certificate to name.
 *
 * <p>Thread-safe. Both {@link #authenticate} and {@link #stillValid} read memory only (the serials
 * issued are held in {@link IssuedCertificates}), so neither waits behind a store write; only a
 * serial that this process did not issue or load at start (one written by {@link DirectEnrollment}
 * while the collector runs) is looked up in the store once.
 *
 * <p>Every text in a refusal that comes from the peer's certificate is escaped with {@link
 * TerminalText}: the description goes to the log and back to the peer.
 */
public final class AgentAuthenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  /** Longest issuer name (or PKIX problem) quoted in a refusal. */
  static final int MAX_QUOTED_CHARS = 200;

  private final X509Certificate ca;
  private final TrustStore store;
  private final IssuedCertificates issued;
  private final RevokedAgents revoked;
  private final Clock clock;
  private final MetricsRegistry metrics;

  AgentAuthenticator(
      X509Certificate ca,
      TrustStore store,
      IssuedCertificates issued,
      RevokedAgents revoked,
      Clock clock,
      MetricsRegistry metrics) {
    this.ca = ca;
    this.store = store;
    this.issued = issued;
    this.revoked = revoked;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * The agent a peer's chain (leaf first; null or empty when the peer sent none) proves to be.
   *
   * @throws AuthRefusedException saying why not; the refusal is already counted
   */
  public AgentPrincipal authenticate(X509Certificate[] chain) throws AuthRefusedException {
    AuthRefusal why;
    if (chain == null || chain.length == 0) {
      why =
          new AuthRefusal(
              "no_certificate",
              "no client certificate: enrol this agent first with vigil-agent" + " enroll");
      throw refused(why);
    }
    X509Certificate leaf = chain[0];
    Instant now = clock.instant();
    if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal()) || !signedByCa(leaf)) {
      throw refused(
          new AuthRefusal(
              "foreign_ca",
              "client certificate issued by \""
                  + TerminalText.escape(leaf.getIssuerX500Principal().getName(), MAX_QUOTED_CHARS)
                  + "\", not by this collector's CA"));
    }
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      throw refused(
          new AuthRefusal(
              "expired", "client certificate expired at " + leaf.getNotAfter().toInstant()));
    }
    String problem = pkixProblem(leaf, now);
    if (problem != null) {
      throw refused(
          new AuthRefusal(
              "invalid",
              "client certificate refused: " + TerminalText.escape(problem, MAX_QUOTED_CHARS)));
    }
    String agentId = agentId(leaf);
    if (agentId == null) {
      throw refused(
          new AuthRefusal(
              "invalid", "client certificate refused: its common name is not an agent id"));
    }
    String serial = leaf.getSerialNumber().toString(16);
    Optional<IssuedCertificates.Cert> cert = issued.find(serial);
    if (cert.isEmpty()) {
      // Not issued by this process nor loaded at start: written to the store since (direct
      // enrolment), or never issued. Only a certificate signed by the CA key gets this far.
      cert = store.certificate(serial).map(row -> issued.add(row, WallClock.toNanos(now)));
    }
    if (cert.isEmpty() || !cert.get().agentId().equals(agentId)) {
      throw refused(
          new AuthRefusal(
              "unknown_serial",
              "certificate serial " + serial + " was not issued by this collector"));
    }
    AgentPrincipal principal =
        new AgentPrincipal(agentId, serial, leaf.getNotAfter().toInstant(), leaf.getPublicKey());
    Optional<AuthRefusal> late = stillValid(principal);
    if (late.isPresent()) {
      throw new AuthRefusedException(late.get()); // counted by stillValid
    }
    if (!issued.use(cert.get())) {
      throw refused(replaced(serial)); // a newer certificate was used in the meantime
    }
    return principal;
  }

  /**
   * Whether an authenticated stream may go on now: empty when yes, else why not (counted): the
   * agent is revoked, the certificate expired, or a newer certificate of the agent has
   * authenticated a stream since (a renewal replaced it). Reads memory only.
   */
  public Optional<AuthRefusal> stillValid(AgentPrincipal p) {
    Optional<Revocation> r = revoked.get(p.agentId());
    if (r.isPresent()) {
      return Optional.of(count(new AuthRefusal("revoked", r.get().describe(p.agentId()))));
    }
    if (clock.instant().isAfter(p.notAfter())) {
      return Optional.of(
          count(new AuthRefusal("expired", "client certificate expired at " + p.notAfter())));
    }
    if (issued.replaced(p.serialHex())) {
      return Optional.of(count(replaced(p.serialHex())));
    }
    return Optional.empty();
  }

  private static AuthRefusal replaced(String serial) {
    return new AuthRefusal(
        "replaced", "certificate serial " + serial + " was replaced by a renewal");
  }

  /** Counts a refusal decided elsewhere (a Hello that names another agent). */
  public AuthRefusal count(AuthRefusal why) {
    metrics
        .counter(
            "vigil_collector_agent_auth_refused_total",
            "Agent streams refused or closed for their client certificate, by reason",
            "reason",
            why.reason())
        .inc();
    return why;
  }

  private AuthRefusedException refused(AuthRefusal why) {
    return new AuthRefusedException(count(why));
  }

  private boolean signedByCa(X509Certificate leaf) {
    try {
      leaf.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // another key signed it (or it is malformed): not ours either way
    }
  }

  /** PKIX against the CA alone (validity, constraints) and EKU clientAuth; null when fine. */
  private String pkixProblem(X509Certificate leaf, Instant now) {
    try {
      PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
      params.setRevocationEnabled(false); // revocation is ours, in memory
      params.setDate(Date.from(now));
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku == null || !eku.contains(CLIENT_AUTH)) {
        return "it is not a client certificate (no extended key usage clientAuth)";
      }
      return null;
    } catch (CertPathValidatorException e) {
      return e.getMessage();
    } catch (CertificateParsingException e) {
      return "its extended key usage does not parse";
    } catch (GeneralSecurityException e) {
      return e.toString();
    }
  }

  /** The canonical UUID in the subject CN, or null. */
  static String agentId(X509Certificate leaf) {
    try {
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          String cn = String.valueOf(rdn.getValue());
          return AgentIds.isCanonical(cn) ? cn : null;
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  /** An agent stream refused; {@link #refusal()} says why. */
  public static final class AuthRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient AuthRefusal refusal;

    AuthRefusedException(AuthRefusal refusal) {
      super(refusal.description());
      this.refusal = refusal;
    }

    public AuthRefusal refusal() {
      return refusal;
    }
  }
}
