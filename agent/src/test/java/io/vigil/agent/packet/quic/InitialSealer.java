package io.vigil.agent.packet.quic;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test-only: Initial packet protection (RFC 9001 5), client's and server's, to build packets the
 * captures do not have. {@code QuicRfcVectorsTest} checks it reproduces the RFC's packets byte for
 * byte, so what it builds is what a real client or server would send.
 */
final class InitialSealer {
  private InitialSealer() {}

  /**
   * A protected client Initial: keys from {@code keyDcid} (normally {@code dcid} itself), the given
   * header fields, a 2-byte Length, {@code pnLength} bytes of packet number, {@code payload} as the
   * plaintext frames.
   */
  static byte[] seal(
      QuicVersion v,
      byte[] keyDcid,
      byte[] dcid,
      byte[] scid,
      byte[] token,
      long packetNumber,
      int pnLength,
      byte[] payload) {
    return seal(InitialKeys.client(v, keyDcid), dcid, scid, token, packetNumber, pnLength, payload);
  }

  /**
   * A protected server Initial: keys from the client's {@code clientDcid} (RFC 9001 5.2), an empty
   * DCID as in RFC 9001 A.3 unless given, the server's {@code scid}, no token, 2-byte Length.
   */
  static byte[] sealServer(
      QuicVersion v,
      byte[] clientDcid,
      byte[] dcid,
      byte[] scid,
      long packetNumber,
      int pnLength,
      byte[] payload) {
    return seal(
        InitialKeys.server(v, clientDcid),
        dcid,
        scid,
        new byte[0],
        packetNumber,
        pnLength,
        payload);
  }

  private static byte[] seal(
      InitialKeys keys,
      byte[] dcid,
      byte[] scid,
      byte[] token,
      long packetNumber,
      int pnLength,
      byte[] payload) {
    QuicVersion v = keys.version();
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(0xc0 | (v.initialType() << 4) | (pnLength - 1));
    for (int i = 3; i >= 0; i--) {
      h.write(v.wire() >>> (8 * i));
    }
    h.write(dcid.length);
    h.writeBytes(dcid);
    h.write(scid.length);
    h.writeBytes(scid);
    h.writeBytes(Frames.varint(token.length));
    h.writeBytes(token);
    int length = pnLength + payload.length + InitialKeys.TAG_LENGTH;
    h.write(0x40 | (length >>> 8));
    h.write(length);
    int pnOffset = h.size();
    for (int i = pnLength - 1; i >= 0; i--) {
      h.write((int) (packetNumber >>> (8 * i)));
    }
    byte[] header = h.toByteArray();
    byte[] nonce = keys.iv();
    for (int i = 0; i < 8; i++) {
      nonce[nonce.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.ENCRYPT_MODE,
          new SecretKeySpec(keys.key(), "AES"),
          new GCMParameterSpec(128, nonce));
      gcm.updateAAD(header);
      byte[] sealed = gcm.doFinal(payload);
      byte[] packet = new byte[header.length + sealed.length];
      System.arraycopy(header, 0, packet, 0, header.length);
      System.arraycopy(sealed, 0, packet, header.length, sealed.length);
      Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.hp(), "AES"));
      byte[] mask = ecb.doFinal(packet, pnOffset + 4, 16);
      packet[0] ^= (byte) (mask[0] & 0x0f);
      for (int i = 0; i < pnLength; i++) {
        packet[pnOffset + i] ^= mask[1 + i];
      }
      return packet;
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A client Initial with keys from its own DCID, no SCID or token, 4-byte packet number: with an
   * 8-byte DCID and a 1162-byte payload, 1200 bytes like the RFC's example.
   */
  static byte[] seal(QuicVersion v, byte[] dcid, long packetNumber, byte[] payload) {
    return seal(v, dcid, dcid, new byte[0], new byte[0], packetNumber, 4, payload);
  }

  /**
   * A long-header packet of another type (0-RTT or Handshake) with {@code bodyLength} bytes after
   * the Length field: not protected, since the assembler only skips it.
   */
  static byte[] otherLongPacket(QuicVersion v, int type, byte[] dcid, int bodyLength) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(0xc0 | (type << 4) | 1);
    for (int i = 3; i >= 0; i--) {
      h.write(v.wire() >>> (8 * i));
    }
    h.write(dcid.length);
    h.writeBytes(dcid);
    h.write(0);
    h.write(0x40 | (bodyLength >>> 8));
    h.write(bodyLength);
    h.writeBytes(new byte[bodyLength]);
    return h.toByteArray();
  }

  /** The byte arrays end to end: packets coalesced into one datagram. */
  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
