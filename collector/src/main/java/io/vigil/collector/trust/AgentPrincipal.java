package io.vigil.collector.trust;

import java.security.PublicKey;
import java.time.Instant;

/**
 * Who an authenticated agent stream belongs to: the agent id its verified client certificate names,
 * that certificate's serial (lower-case hex), its end of validity and its public key (null only
 * where a test makes a principal by hand; a renewal then cannot check that the key is new).
 */
public record AgentPrincipal(String agentId, String serialHex, Instant notAfter, PublicKey key) {

  /** A principal without the certificate's key (for tests and callers that lack it). */
  public AgentPrincipal(String agentId, String serialHex, Instant notAfter) {
    this(agentId, serialHex, notAfter, null);
  }
}
