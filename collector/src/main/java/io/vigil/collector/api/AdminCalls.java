package io.vigil.collector.api;

import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditVerification;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.proto.v1.CreateApiTokenReply;
import io.vigil.proto.v1.CreateApiTokenRequest;
import io.vigil.proto.v1.CreateEnrollmentTokenReply;
import io.vigil.proto.v1.CreateEnrollmentTokenRequest;
import io.vigil.proto.v1.ListApiTokensReply;
import io.vigil.proto.v1.ListAuditReply;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.ListEnrollmentTokensReply;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeApiTokenRequest;
import io.vigil.proto.v1.RevokeEnrollmentTokenRequest;
import io.vigil.proto.v1.RevokeReply;
import io.vigil.proto.v1.VerifyAuditReply;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The admin calls: enrolment tokens and agent revocation through {@link TrustAdmin}, API tokens
 * through {@link ApiTokenStore}, the audit log. Thread-safe; blocks on the store.
 */
final class AdminCalls {
  static final Duration DEFAULT_ENROLLMENT_TTL = Duration.ofHours(24);
  static final int DEFAULT_AUDIT_LIMIT = 100;
  static final int MAX_AUDIT_LIMIT = 10_000;

  /** Longest validity of an API token. */
  static final Duration MAX_API_TOKEN_TTL = Duration.ofDays(3653);

  private final TrustAdmin trust;
  private final ApiTokenStore tokens;
  private final AuditLog audit;
  private final LongSupplier nowNs;

  AdminCalls(TrustAdmin trust, ApiTokenStore tokens, AuditLog audit, LongSupplier nowNs) {
    this.trust = trust;
    this.tokens = tokens;
    this.audit = audit;
    this.nowNs = nowNs;
  }

  CreateEnrollmentTokenReply createEnrollmentToken(Principal p, CreateEnrollmentTokenRequest r) {
    if (r.getTtlMs() < 0) { // uint64 above Long.MAX_VALUE
      throw new IllegalArgumentException(
          "ttl_ms: " + Long.toUnsignedString(r.getTtlMs()) + " is out of range");
    }
    Duration ttl = r.getTtlMs() == 0 ? DEFAULT_ENROLLMENT_TTL : Duration.ofMillis(r.getTtlMs());
    long uses = r.getUses() == 0 ? 1 : Integer.toUnsignedLong(r.getUses());
    if (uses > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("uses: at most 100000, got " + uses);
    }
    TrustAdmin.CreatedToken t =
        trust.createEnrollmentToken(p.operator(), ttl, (int) uses, r.getNote());
    return CreateEnrollmentTokenReply.newBuilder()
        .setToken(t.token())
        .setRecord(t.record())
        .setCaFingerprint(trust.caFingerprint())
        .build();
  }

  ListEnrollmentTokensReply enrollmentTokens() {
    return ListEnrollmentTokensReply.newBuilder().addAllTokens(trust.enrollmentTokens()).build();
  }

  RevokeReply revokeEnrollmentToken(RevokeEnrollmentTokenRequest r) {
    return RevokeReply.newBuilder().setChanged(trust.revokeEnrollmentToken(r.getTokenId())).build();
  }

  RevokeReply revokeAgent(Principal p, RevokeAgentRequest r) {
    if (r.getAgentId().isBlank()) {
      throw new IllegalArgumentException("agent_id: give the id of the agent to revoke");
    }
    if (r.getReason().isBlank()) {
      throw new IllegalArgumentException("reason: say why the agent is revoked");
    }
    return RevokeReply.newBuilder()
        .setChanged(trust.revokeAgent(r.getAgentId(), p.operator(), r.getReason()))
        .build();
  }

  CreateApiTokenReply createApiToken(Principal p, CreateApiTokenRequest r) {
    OperatorRole role = OperatorRole.of(r.getRole());
    long now = nowNs.getAsLong();
    long expires = r.getTtlMs() == 0 ? 0 : now + apiTokenTtlMs(r.getTtlMs()) * 1_000_000L;
    ApiTokens.Minted t = ApiTokens.mint();
    ApiTokenRow row =
        tokens.create(t.stored(), r.getOperator(), role.text(), p.operator(), now, expires);
    return CreateApiTokenReply.newBuilder()
        .setToken(t.text())
        .setRecord(StoreMessages.apiToken(row))
        .build();
  }

  /**
   * The validity asked for, in ms, when it is at most {@link #MAX_API_TOKEN_TTL}: the expiry is
   * stored in ns since 1970 in a signed 64-bit column, which a few hundred years would overflow.
   *
   * @param ttlMs the request's {@code ttl_ms}, unsigned
   */
  static long apiTokenTtlMs(long ttlMs) {
    if (Long.compareUnsigned(ttlMs, MAX_API_TOKEN_TTL.toMillis()) > 0) {
      throw new IllegalArgumentException(
          "ttl_ms: at most "
              + MAX_API_TOKEN_TTL.toMillis()
              + " (10 years), got "
              + Long.toUnsignedString(ttlMs)
              + "; 0 for a token that does not expire");
    }
    return ttlMs;
  }

  ListApiTokensReply apiTokens() {
    ListApiTokensReply.Builder b = ListApiTokensReply.newBuilder();
    tokens.list().forEach(t -> b.addTokens(StoreMessages.apiToken(t)));
    return b.build();
  }

  /**
   * Revokes an API token, except the last admin token in force ({@link ApiTokenStore#revoke} checks
   * that in the same transaction): with none left nobody could create tokens or revoke agents until
   * the collector restarts and makes a new bootstrap token.
   */
  RevokeReply revokeApiToken(RevokeApiTokenRequest r) {
    return RevokeReply.newBuilder()
        .setChanged(tokens.revoke(r.getTokenId(), nowNs.getAsLong()))
        .build();
  }

  /**
   * Checks the audit log's hash chain and head file ({@link AuditLog#verify}); a broken chain is an
   * answer (intact false, with the problem), not an error.
   */
  VerifyAuditReply verifyAudit() {
    AuditVerification v = audit.verify();
    return VerifyAuditReply.newBuilder()
        .setIntact(v.intact())
        .setRows(v.rows())
        .setFirstBadId(v.firstBadId())
        .setProblem(v.problem())
        .setHeadHash(v.headHash())
        .build();
  }

  ListAuditReply audit(ListAuditRequest r) {
    long limit = r.getLimit() == 0 ? DEFAULT_AUDIT_LIMIT : Integer.toUnsignedLong(r.getLimit());
    if (limit > MAX_AUDIT_LIMIT) {
      throw new IllegalArgumentException("limit: at most " + MAX_AUDIT_LIMIT + ", got " + limit);
    }
    ListAuditReply.Builder b = ListAuditReply.newBuilder();
    audit.newest((int) limit).forEach(a -> b.addEntries(StoreMessages.audit(a)));
    return b.build();
  }
}
