/**
 * The collector's own certificate authority and server certificate: generated on first start, kept
 * as PEM files in the collector's state directory, loaded on every later start.
 *
 * <p>Agents trust the CA certificate ({@code ca.pem}); enrolment (a later version) will issue
 * client certificates from the same CA.
 */
package io.vigil.collector.tls;
