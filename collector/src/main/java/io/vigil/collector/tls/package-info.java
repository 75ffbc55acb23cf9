/**
 * The collector's own certificate authority and server certificate: generated on first start, kept
 * as PEM files in the collector's state directory, loaded on every later start.
 *
 * <p>Agents trust the CA certificate ({@code ca.pem}); enrolment ({@code io.vigil.collector.trust})
 * issues their client certificates from the same CA, whose key stays owner-only (0600).
 */
package io.vigil.collector.tls;
