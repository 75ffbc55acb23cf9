package io.vigil.collector.trust;

import java.time.Instant;

/**
 * Who an authenticated agent stream belongs to: the agent id its verified client certificate names,
 * that certificate's serial (lower-case hex) and its end of validity.
 */
public record AgentPrincipal(String agentId, String serialHex, Instant notAfter) {}
