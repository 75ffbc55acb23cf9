package io.vigil.collector.trust;

import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What the operator API may do to the collector's trust: enrolment tokens, enrolled agents and
 * their revocation. Implementations are thread-safe; every method blocks on the store.
 */
public interface TrustAdmin {

  /**
   * A new enrolment token.
   *
   * @param token the secret, shown once; only its hash is stored
   * @param record the stored facts
   */
  record CreatedToken(String token, EnrollmentTokenRecord record) {}

  /**
   * Creates an enrolment token.
   *
   * @throws IllegalArgumentException when ttl or uses are out of range (the message says which)
   */
  CreatedToken createEnrollmentToken(String createdBy, Duration ttl, int uses, String note);

  /** Every enrolment token, newest first (expired and revoked ones included). */
  List<EnrollmentTokenRecord> enrollmentTokens();

  /**
   * Revokes an enrolment token: no further enrolment with it.
   *
   * @return false when it was already revoked
   * @throws NoSuchElementException for an unknown id
   */
  boolean revokeEnrollmentToken(String tokenId);

  /**
   * The trust facts of every agent ever enrolled, by agent id: {@code agent_id}, {@code hostname},
   * {@code enrolled_ns}, {@code certificate_not_after_ns} and the {@code revoked_*} fields set.
   */
  Map<String, AgentRecord> enrolledAgents();

  /**
   * Revokes an agent: each of its certificates is refused from now on, its open stream is closed at
   * its next message at the latest, and it cannot renew.
   *
   * @return false when it was already revoked
   * @throws NoSuchElementException for an agent id never enrolled
   */
  boolean revokeAgent(String agentId, String by, String reason);

  /** SHA-256 of the CA certificate (DER), lower-case hex: what agents pin at enrolment. */
  String caFingerprint();
}
