/**
 * The collector's trust in agents: its CA, enrolment tokens, the certificates it issued, and
 * revocation. An agent enrols once with a token and a CSR and from then on is known only by the
 * agent id its client certificate names; see {@code docs/threat-model.md}.
 *
 * <p>No gRPC here: {@link io.vigil.collector.trust.CollectorTrust} assembles the parts ({@link
 * io.vigil.collector.trust.Enrollments}, {@link io.vigil.collector.trust.AgentAuthenticator},
 * {@link io.vigil.collector.trust.Renewals}) and is the {@link io.vigil.collector.trust.TrustAdmin}
 * of the operator API; the agent port in {@code io.vigil.collector.stream} calls them. Revocations
 * and the certificates issued (which of them a renewal replaced) are held in memory, loaded at
 * start, so that authenticating a stream and the check on every stream message do not wait on the
 * store; the trust tables themselves are {@link io.vigil.collector.store.TrustStore}.
 */
package io.vigil.collector.trust;
