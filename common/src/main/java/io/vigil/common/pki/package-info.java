/**
 * PEM files and certificate fingerprints, shared by the agent and the collector. JDK only: making
 * and signing certificates and requests is BouncyCastle's job, in the module that needs it.
 */
package io.vigil.common.pki;
