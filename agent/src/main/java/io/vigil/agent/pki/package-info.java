/**
 * The agent's side of the collector's PKI, without any transport: its EC P-256 keys and PKCS#10
 * requests, the enrolment files under {@code <agent.state_dir>/pki/} (written atomically, keys
 * 0600), the client certificate and when to renew it, and the trust manager that pins the
 * collector's CA by fingerprint on first contact. The gRPC calls that use them live in {@code
 * agent.ship}, the agent's only gRPC package.
 */
package io.vigil.agent.pki;
