/**
 * The collector's trust in agents: its CA, enrolment tokens, the certificates it issued, and
 * revocation. An agent enrols once with a token and a CSR and from then on is known only by the
 * agent id its client certificate names; see {@code docs/threat-model.md}.
 */
package io.vigil.collector.trust;
