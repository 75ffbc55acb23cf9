package io.vigil.collector.store;

/**
 * One stored operator API token (never its secret: the table holds only its SHA-256). Immutable.
 *
 * @param tokenId the public id, 12 lower-case hex
 * @param operator the operator name the token acts as
 * @param role {@code viewer}, {@code responder} or {@code admin}
 * @param createdBy the operator who created it ({@code collector} for the bootstrap token)
 * @param expiresNs UTC ns after which it is refused; 0: no expiry
 * @param revokedNs UTC ns of its revocation; 0: not revoked
 * @param lastUsedNs UTC ns it last authenticated a call (updated at most once a minute); 0: never
 */
public record ApiTokenRow(
    String tokenId,
    String operator,
    String role,
    String createdBy,
    long createdNs,
    long expiresNs,
    long revokedNs,
    long lastUsedNs) {}
