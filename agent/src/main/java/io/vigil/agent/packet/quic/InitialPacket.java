package io.vigil.agent.packet.quic;

/**
 * A decrypted and authenticated Initial packet; its arrays are its own, treat them as read-only.
 *
 * @param header the packet's cleartext header fields
 * @param packetNumber the full packet number, after header protection removal and decoding against
 *     the largest packet number seen before (RFC 9000 17.1)
 * @param payload the plaintext frames (the AEAD tag removed)
 */
public record InitialPacket(LongHeader header, long packetNumber, byte[] payload) {}
