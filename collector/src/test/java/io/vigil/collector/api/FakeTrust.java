package io.vigil.collector.api;

import io.vigil.collector.trust.TrustAdmin;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** An in-memory {@link TrustAdmin} for the operator API's tests. Thread-safe. */
public final class FakeTrust implements TrustAdmin {
  static final String FINGERPRINT = "ab".repeat(32);

  private final List<EnrollmentTokenRecord> tokens = new ArrayList<>();
  private final Map<String, AgentRecord> agents = new LinkedHashMap<>();
  private int next = 1;

  public synchronized void enrolled(String agentId, String hostname) {
    agents.put(
        agentId,
        AgentRecord.newBuilder()
            .setAgentId(agentId)
            .setHostname(hostname)
            .setEnrolledNs(5)
            .setCertificateNotAfterNs(9)
            .build());
  }

  @Override
  public synchronized CreatedToken createEnrollmentToken(
      String createdBy, Duration ttl, int uses, String note) {
    if (uses < 1 || uses > 100_000) {
      throw new IllegalArgumentException("uses: from 1 to 100000, got " + uses);
    }
    String id = String.format("%012x", next++);
    EnrollmentTokenRecord r =
        EnrollmentTokenRecord.newBuilder()
            .setTokenId(id)
            .setCreatedBy(createdBy)
            .setCreatedNs(io.vigil.common.time.WallClock.nowNanos())
            .setExpiresNs(io.vigil.common.time.WallClock.nowNanos() + ttl.toNanos())
            .setUsesTotal(uses)
            .setUsesLeft(uses)
            .setNote(note)
            .build();
    tokens.add(0, r);
    return new CreatedToken("vigil-enroll-" + "x".repeat(43), r);
  }

  @Override
  public synchronized List<EnrollmentTokenRecord> enrollmentTokens() {
    return List.copyOf(tokens);
  }

  @Override
  public synchronized boolean revokeEnrollmentToken(String tokenId) {
    for (int i = 0; i < tokens.size(); i++) {
      EnrollmentTokenRecord t = tokens.get(i);
      if (t.getTokenId().equals(tokenId)) {
        if (t.getRevokedNs() != 0) {
          return false;
        }
        tokens.set(i, t.toBuilder().setRevokedNs(7).build());
        return true;
      }
    }
    throw new NoSuchElementException("no enrolment token " + tokenId);
  }

  @Override
  public synchronized Map<String, AgentRecord> enrolledAgents() {
    return Map.copyOf(agents);
  }

  @Override
  public synchronized boolean revokeAgent(String agentId, String by, String reason) {
    AgentRecord a = agents.get(agentId);
    if (a == null) {
      throw new NoSuchElementException("no enrolled agent " + agentId);
    }
    if (a.getRevokedNs() != 0) {
      return false;
    }
    agents.put(
        agentId, a.toBuilder().setRevokedNs(8).setRevokedBy(by).setRevokeReason(reason).build());
    return true;
  }

  @Override
  public String caFingerprint() {
    return FINGERPRINT;
  }
}
