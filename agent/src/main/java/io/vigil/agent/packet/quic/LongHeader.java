package io.vigil.agent.packet.quic;

/**
 * The cleartext fields of one long-header packet (RFC 9000 17.2) of a known {@link QuicVersion},
 * read before header protection is removed: the packet number and the low four bits of the first
 * byte are still masked. Offsets index the array the packet was read from. The arrays are copies
 * made for this record and are not copied again by the accessors: treat them as read-only.
 *
 * @param version the packet's version
 * @param type the long-header packet type bits (0 to 3) as on the wire; their meaning depends on
 *     the version, see {@link #initial()}
 * @param dcid the Destination Connection ID (0 to 20 bytes)
 * @param scid the Source Connection ID (0 to 20 bytes)
 * @param token the Initial packet's token (empty when none, and for other packet types)
 * @param start offset of the packet's first byte
 * @param packetNumberOffset offset of the (protected) packet number, just after the Length field
 * @param end offset just past the packet: {@code packetNumberOffset + Length}, where a coalesced
 *     next packet would start
 */
public record LongHeader(
    QuicVersion version,
    int type,
    byte[] dcid,
    byte[] scid,
    byte[] token,
    int start,
    int packetNumberOffset,
    int end) {

  /** True for an Initial packet of its version. */
  public boolean initial() {
    return type == version.initialType();
  }
}
