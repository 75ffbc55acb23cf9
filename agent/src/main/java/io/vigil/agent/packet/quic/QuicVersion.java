package io.vigil.agent.packet.quic;

import java.util.HexFormat;

/**
 * The QUIC versions whose Initial packets Vigil can open: each has its own Initial salt, HKDF label
 * prefix and long-header type numbers. Other versions are counted as {@link
 * QuicMalformed#UNKNOWN_VERSION}: their header layout past the version field is not known.
 */
public enum QuicVersion {
  /** QUIC version 1, RFC 9000/9001. */
  V1(0x00000001, 0, 3, "38762cf7f55934b34d179ae6a4c80cadccbb7f0a", "quic "),
  /** QUIC version 2, RFC 9369: types renumbered (Initial is 0b01), new salt, "quicv2 " labels. */
  V2(0x6b3343cf, 1, 0, "0dede3def700a6db819381be6e269dcbf9bd2ed9", "quicv2 "),
  /** draft-ietf-quic-transport-29, which older Chrome and curl builds still offered. */
  DRAFT_29(0xff00001d, 0, 3, "afbfec289993d24c9e9786f19c6111e04390a899", "quic ");

  private final int wire;
  private final int initialType;
  private final int retryType;
  private final byte[] salt;
  private final String labelPrefix;

  QuicVersion(int wire, int initialType, int retryType, String saltHex, String labelPrefix) {
    this.wire = wire;
    this.initialType = initialType;
    this.retryType = retryType;
    this.salt = HexFormat.of().parseHex(saltHex);
    this.labelPrefix = labelPrefix;
  }

  /** The version, or null when it is none of these (version negotiation's 0 included). */
  public static QuicVersion of(int wire) {
    for (QuicVersion v : values()) {
      if (v.wire == wire) {
        return v;
      }
    }
    return null;
  }

  /** The 32-bit version number as on the wire. */
  public int wire() {
    return wire;
  }

  /** The long-header packet type (bits 0x30 of the first byte) of an Initial packet. */
  public int initialType() {
    return initialType;
  }

  /** The long-header packet type of a Retry packet, which has no Length field. */
  public int retryType() {
    return retryType;
  }

  /** The Initial salt (RFC 9001 5.2, RFC 9369 3.3.1); a copy. */
  public byte[] salt() {
    return salt.clone();
  }

  byte[] saltNoCopy() {
    return salt;
  }

  /** The HKDF label for the packet key, IV or header protection key: "quic key", "quicv2 hp". */
  String label(String what) {
    return labelPrefix + what;
  }
}
