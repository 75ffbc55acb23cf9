package io.vigil.collector.api;

import io.vigil.collector.trust.TrustAdmin;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The trust of a collector that has none (one run with {@code --insecure}: no CA, agents are not
 * enrolled): nothing is enrolled, and every change says why it cannot be made. Stateless.
 */
final class NoTrust implements TrustAdmin {
  private static final String WHY =
      "this collector runs without agent enrolment (--insecure): there is no CA to enrol with";

  @Override
  public CreatedToken createEnrollmentToken(String createdBy, Duration ttl, int uses, String note) {
    throw new IllegalStateException(WHY);
  }

  @Override
  public List<EnrollmentTokenRecord> enrollmentTokens() {
    return List.of();
  }

  @Override
  public boolean revokeEnrollmentToken(String tokenId) {
    throw new IllegalStateException(WHY);
  }

  @Override
  public Map<String, AgentRecord> enrolledAgents() {
    return Map.of();
  }

  @Override
  public boolean revokeAgent(String agentId, String by, String reason) {
    throw new IllegalStateException(WHY);
  }

  @Override
  public String caFingerprint() {
    return "";
  }
}
