/**
 * Integrity-monitoring rules both ends of the stream must apply identically: which differences
 * between two {@link io.vigil.proto.v1.FileState}s count, and the digest of a baseline. The agent
 * computes them over its local baseline, the collector over its mirror; a digest that differs means
 * the two copies diverged.
 */
package io.vigil.proto.fim;
