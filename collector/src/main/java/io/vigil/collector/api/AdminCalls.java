package io.vigil.collector.api;

import io.grpc.Status;
import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.store.AuditLog;
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
    long expires = r.getTtlMs() == 0 ? 0 : now + r.getTtlMs() * 1_000_000L;
    ApiTokenStore.Created c =
        tokens.create(r.getOperator(), role.text(), p.operator(), now, expires);
    return CreateApiTokenReply.newBuilder()
        .setToken(c.token())
        .setRecord(StoreMessages.apiToken(c.row()))
        .build();
  }

  ListApiTokensReply apiTokens() {
    ListApiTokensReply.Builder b = ListApiTokensReply.newBuilder();
    tokens.list().forEach(t -> b.addTokens(StoreMessages.apiToken(t)));
    return b.build();
  }

  /**
   * Revokes an API token, except the last admin token in force: with none left nobody could create
   * tokens any more (the bootstrap token is only made while the table is empty).
   */
  RevokeReply revokeApiToken(RevokeApiTokenRequest r) {
    long now = nowNs.getAsLong();
    var all = tokens.list();
    ApiTokenRow target =
        all.stream().filter(t -> t.tokenId().equals(r.getTokenId())).findFirst().orElse(null);
    if (target != null && inForce(target, now) && target.role().equals("admin")) {
      long admins = all.stream().filter(t -> t.role().equals("admin") && inForce(t, now)).count();
      if (admins == 1) {
        throw Status.FAILED_PRECONDITION
            .withDescription(
                "API token "
                    + target.tokenId()
                    + " is the last admin token in force; create another admin token first")
            .asRuntimeException();
      }
    }
    return RevokeReply.newBuilder().setChanged(tokens.revoke(r.getTokenId(), now)).build();
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

  private static boolean inForce(ApiTokenRow t, long now) {
    return t.revokedNs() == 0 && (t.expiresNs() == 0 || t.expiresNs() > now);
  }
}
