/**
 * {@code vigil-agent enroll}: the one-time exchange of an operator's enrolment token for a client
 * certificate. The token comes from a file or stdin, never from the command line (where every
 * process listing, Vigil's own process sensor included, would record it); the collector is trusted
 * only through the CA fingerprint the operator gives. The gRPC call itself is in {@code
 * agent.ship}; the files and keys in {@code agent.pki}.
 */
package io.vigil.agent.enroll;
