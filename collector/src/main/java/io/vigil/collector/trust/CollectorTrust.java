package io.vigil.collector.trust;

import io.vigil.collector.config.EnrollmentSection;
import io.vigil.collector.store.TrustStore;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Fingerprint;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's trust in agents, assembled: the CA, the trust tables, the in-memory revocation
 * view, and the parts the agent port uses ({@link #authenticator()}, {@link #enrollments()}, {@link
 * #renewals()}). It is also the {@link TrustAdmin} the operator API calls.
 *
 * <p>Thread-safe; the admin methods block on the store. Owns the {@link TrustStore} it is given and
 * closes it.
 */
public final class CollectorTrust implements TrustAdmin, AutoCloseable {
  /** Shortest and longest enrolment token validity. */
  public static final Duration MIN_TOKEN_TTL = Duration.ofMinutes(1);

  public static final Duration MAX_TOKEN_TTL = Duration.ofDays(30);

  /** Most uses of one enrolment token. */
  public static final int MAX_TOKEN_USES = 100_000;

  /** Longest note, operator name or revocation reason, in characters. */
  public static final int MAX_TEXT = 500;

  private static final Logger log = LoggerFactory.getLogger(CollectorTrust.class);

  /** Closes an agent's live stream, if it has one (the agent port's connected agents). */
  @FunctionalInterface
  public interface StreamCloser {
    void close(String agentId, String why);
  }

  private final TrustStore store;
  private final CertificateAuthority ca;
  private final Clock clock;
  private final StreamCloser streams;
  private final RevokedAgents revoked = new RevokedAgents();
  private final AgentAuthenticator authenticator;
  private final Enrollments enrollments;
  private final Renewals renewals;

  /**
   * @param store the trust tables (owned from now on: closed here when this constructor throws)
   * @param ca the collector CA, with its key
   * @param config validity of agent certificates and the enrolment rate limit
   * @param clock every trust decision's time (tests inject one)
   * @param streams closes a revoked agent's stream at once
   */
  public CollectorTrust(
      TrustStore store,
      CertificateAuthority ca,
      EnrollmentSection config,
      Clock clock,
      MetricsRegistry metrics,
      StreamCloser streams) {
    this.store = store;
    this.ca = ca;
    this.clock = clock;
    this.streams = streams;
    try {
      for (TrustStore.AgentRow a : store.agents()) {
        if (a.revokedNs() != 0) {
          revoked.put(
              a.agentId(),
              new Revocation(WallClock.toInstant(a.revokedNs()), a.revokedBy(), a.revokeReason()));
        }
      }
      IssuedCertificates issued =
          IssuedCertificates.load(store.certificatesValidAt(WallClock.toNanos(clock.instant())));
      AgentIssuer issuer = new AgentIssuer(ca, config.agentCertificateValidity(), clock);
      this.authenticator =
          new AgentAuthenticator(ca.certificate(), store, issued, revoked, clock, metrics);
      this.enrollments =
          new Enrollments(
              store,
              issuer,
              issued,
              new AttemptLimiter(
                  config.maxAttemptsPerMinute(),
                  AttemptLimiter.perPeerShare(config.maxAttemptsPerMinute()),
                  clock),
              clock,
              metrics);
      this.renewals =
          new Renewals(
              store, issuer, issued, revoked, config.agentCertificateValidity(), clock, metrics);
    } catch (RuntimeException e) {
      // The store is ours from the call on: a constructor that fails must not leak it.
      try {
        store.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Checks client certificates on the agent port. */
  public AgentAuthenticator authenticator() {
    return authenticator;
  }

  /** Enrols agents (the EnrollmentService). */
  public Enrollments enrollments() {
    return enrollments;
  }

  /** Renews certificates on authenticated streams. */
  public Renewals renewals() {
    return renewals;
  }

  @Override
  public CreatedToken createEnrollmentToken(String createdBy, Duration ttl, int uses, String note) {
    checkText("createdBy", createdBy, false);
    checkText("note", note, true);
    if (ttl == null || ttl.compareTo(MIN_TOKEN_TTL) < 0 || ttl.compareTo(MAX_TOKEN_TTL) > 0) {
      throw new IllegalArgumentException(
          "ttl must be between 1m and 30d, got " + (ttl == null ? "none" : ttl));
    }
    if (uses < 1 || uses > MAX_TOKEN_USES) {
      throw new IllegalArgumentException(
          "uses must be between 1 and " + MAX_TOKEN_USES + ", got " + uses);
    }
    String secret = TokenText.newEnrolmentToken();
    long now = WallClock.toNanos(clock.instant());
    TrustStore.TokenRow row =
        new TrustStore.TokenRow(
            TokenText.newId(),
            createdBy,
            now,
            now + ttl.toNanos(),
            uses,
            uses,
            0,
            note == null ? "" : note);
    store.addToken(row, TokenText.sha256Hex(secret));
    log.info(
        "enrolment token {} created by {}: {} uses, expires {}",
        row.tokenId(),
        createdBy,
        uses,
        WallClock.toInstant(row.expiresNs()));
    return new CreatedToken(secret, record(row));
  }

  @Override
  public List<EnrollmentTokenRecord> enrollmentTokens() {
    return store.tokens().stream().map(CollectorTrust::record).toList();
  }

  @Override
  public boolean revokeEnrollmentToken(String tokenId) {
    boolean changed =
        store
            .revokeToken(tokenId, WallClock.toNanos(clock.instant()))
            .orElseThrow(() -> new NoSuchElementException("no enrolment token " + tokenId));
    if (changed) {
      log.info("enrolment token {} revoked", tokenId);
    }
    return changed;
  }

  @Override
  public Map<String, AgentRecord> enrolledAgents() {
    Map<String, AgentRecord> out = new LinkedHashMap<>();
    for (TrustStore.AgentRow a : store.agents()) {
      out.put(
          a.agentId(),
          AgentRecord.newBuilder()
              .setAgentId(a.agentId())
              .setHostname(a.hostname())
              .setEnrolledNs(a.enrolledNs())
              .setCertificateNotAfterNs(a.certificateNotAfterNs())
              .setRevokedNs(a.revokedNs())
              .setRevokedBy(a.revokedBy())
              .setRevokeReason(a.revokeReason())
              .build());
    }
    return out;
  }

  @Override
  public boolean revokeAgent(String agentId, String by, String reason) {
    checkText("by", by, false);
    checkText("reason", reason, false);
    long now = WallClock.toNanos(clock.instant());
    boolean changed =
        store
            .revokeAgent(agentId, now, by, reason)
            .orElseThrow(() -> new NoSuchElementException("no enrolled agent " + agentId));
    if (!changed) {
      return false;
    }
    Revocation r = new Revocation(WallClock.toInstant(now), by, reason);
    // Memory after the store: a revocation the store did not keep must not appear to work.
    revoked.put(agentId, r);
    log.warn("agent {} revoked by {}: {}", agentId, by, reason);
    streams.close(agentId, r.describe(agentId));
    return true;
  }

  @Override
  public String caFingerprint() {
    return Fingerprint.sha256(ca.certificate());
  }

  /** Closes the trust tables. */
  @Override
  public void close() {
    store.close();
  }

  private static EnrollmentTokenRecord record(TrustStore.TokenRow t) {
    return EnrollmentTokenRecord.newBuilder()
        .setTokenId(t.tokenId())
        .setCreatedBy(t.createdBy())
        .setCreatedNs(t.createdNs())
        .setExpiresNs(t.expiresNs())
        .setUsesTotal(t.usesTotal())
        .setUsesLeft(t.usesLeft())
        .setRevokedNs(t.revokedNs())
        .setNote(t.note())
        .build();
  }

  /**
   * Refuses an empty (unless allowed) or overlong text, and one with a control character (C0, DEL,
   * C1), a line or paragraph separator or an invisible formatting character such as a bidi
   * override: these texts are written to the log and shown to operators and agents, where such
   * characters could forge lines or hide what the text says.
   */
  static void checkText(String name, String value, boolean mayBeEmpty) {
    String v = value == null ? "" : value;
    if (!mayBeEmpty && v.isBlank()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    if (v.length() > MAX_TEXT) {
      throw new IllegalArgumentException(name + " is longer than " + MAX_TEXT + " characters");
    }
    for (int i = 0; i < v.length(); ) {
      int cp = v.codePointAt(i);
      int type = Character.getType(cp);
      if (Character.isISOControl(cp)
          || type == Character.FORMAT
          || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR
          || type == Character.SURROGATE) {
        throw new IllegalArgumentException(
            String.format(
                "%s must not contain control or formatting characters (U+%04X at index %d)",
                name, cp, i));
      }
      i += Character.charCount(cp);
    }
  }
}
