package io.vigil.agent.packet.quic;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client's or the server's Initial packet protection keys for one version and one Destination
 * Connection ID, the one the client chose (RFC 9001 5.2; RFC 9369 3.3): {@code initial_secret =
 * HKDF-Extract(salt, dcid)}, {@code client_initial_secret = HKDF-Expand-Label(initial_secret,
 * "client in", "", 32)} (or {@code "server in"} for the server's), then the AES-128 key (16 bytes),
 * IV (12) and header protection key (16) from it with the version's labels.
 *
 * <p>Anyone on the path can derive these, which is the point: Initial packets are protected against
 * tampering, not against reading. Derivation costs two HMACs per output, so callers keep an
 * instance per connection ID. An instance holds only its key bytes: the {@link Mac} and {@link
 * Cipher} objects are per thread and reused (each use initialises them afresh), so thousands of
 * connections do not each keep cipher state, and deriving keys does not look a provider up each
 * time. Immutable, so thread-safe.
 */
public final class InitialKeys {
  /** AES-GCM tag length in bytes (AEAD_AES_128_GCM, RFC 5116). */
  static final int TAG_LENGTH = 16;

  /** Header protection sample length (RFC 9001 5.4.2). */
  static final int SAMPLE_LENGTH = 16;

  private final QuicVersion version;
  private final byte[] key;
  private final byte[] iv;
  private final byte[] hp;

  // Per thread, since Mac and Cipher objects are not thread-safe; every use calls init first, so
  // nothing of one connection's keys carries over to the next use.
  private static final ThreadLocal<Mac> HMAC =
      ThreadLocal.withInitial(() -> instance(Mac::getInstance, "HmacSHA256"));
  private static final ThreadLocal<Cipher> GCM =
      ThreadLocal.withInitial(() -> instance(Cipher::getInstance, "AES/GCM/NoPadding"));
  private static final ThreadLocal<Cipher> ECB =
      ThreadLocal.withInitial(() -> instance(Cipher::getInstance, "AES/ECB/NoPadding"));

  @FunctionalInterface
  private interface Factory<T> {
    T get(String algorithm) throws GeneralSecurityException;
  }

  private static <T> T instance(Factory<T> factory, String algorithm) {
    try {
      return factory.get(algorithm);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
    }
  }

  private InitialKeys(QuicVersion version, byte[] key, byte[] iv, byte[] hp) {
    this.version = version;
    this.key = key;
    this.iv = iv;
    this.hp = hp;
  }

  /** The client's Initial keys for a connection whose client chose {@code dcid}. */
  public static InitialKeys client(QuicVersion version, byte[] dcid) {
    return fromSecret(version, clientSecret(version, dcid));
  }

  /**
   * The server's Initial keys for a connection whose client chose {@code dcid}: the server protects
   * its Initials with keys from the client's ID, not from its own (RFC 9001 5.2).
   */
  public static InitialKeys server(QuicVersion version, byte[] dcid) {
    return fromSecret(version, serverSecret(version, dcid));
  }

  private static InitialKeys fromSecret(QuicVersion version, byte[] secret) {
    return new InitialKeys(
        version,
        expandLabel(secret, version.label("key"), 16),
        expandLabel(secret, version.label("iv"), 12),
        expandLabel(secret, version.label("hp"), 16));
  }

  /** {@code client_initial_secret}: what the RFC test vectors list before the keys. */
  static byte[] clientSecret(QuicVersion version, byte[] dcid) {
    byte[] initial = hmac(version.saltNoCopy(), dcid);
    return expandLabel(initial, "client in", 32);
  }

  /** {@code server_initial_secret}, as the RFC test vectors list it. */
  static byte[] serverSecret(QuicVersion version, byte[] dcid) {
    byte[] initial = hmac(version.saltNoCopy(), dcid);
    return expandLabel(initial, "server in", 32);
  }

  public QuicVersion version() {
    return version;
  }

  /** The AEAD key; a copy. */
  public byte[] key() {
    return key.clone();
  }

  /** The AEAD IV, XORed with the packet number to make each nonce; a copy. */
  public byte[] iv() {
    return iv.clone();
  }

  /** The header protection key; a copy. */
  public byte[] hp() {
    return hp.clone();
  }

  /**
   * The header protection mask, AES-ECB of the 16-byte sample at {@code buf[sampleOffset]} (RFC
   * 9001 5.4.3); the caller has checked the sample lies inside the packet.
   */
  byte[] headerMask(byte[] buf, int sampleOffset) {
    try {
      Cipher ecb = ECB.get();
      ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
      return ecb.doFinal(buf, sampleOffset, SAMPLE_LENGTH);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB/NoPadding is part of every Java runtime", e);
    }
  }

  /**
   * Decrypts and authenticates {@code buf[off, off+len)} (ciphertext and 16-byte tag) with AAD
   * {@code header} and the nonce for {@code packetNumber} (RFC 9001 5.3).
   *
   * @throws QuicMalformedException {@link QuicMalformed#UNDECRYPTABLE} when the tag does not verify
   */
  byte[] open(byte[] header, byte[] buf, int off, int len, long packetNumber)
      throws QuicMalformedException {
    byte[] nonce = iv.clone();
    for (int i = 0; i < 8; i++) {
      nonce[nonce.length - 1 - i] ^= (byte) (packetNumber >>> (8 * i));
    }
    Cipher gcm = GCM.get();
    try {
      gcm.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      gcm.updateAAD(header);
      return gcm.doFinal(buf, off, len);
    } catch (BadPaddingException | IllegalBlockSizeException e) {
      // AEADBadTagException is a BadPaddingException: the tag did not verify.
      throw new QuicMalformedException(QuicMalformed.UNDECRYPTABLE);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding is part of every Java runtime", e);
    }
  }

  /**
   * HKDF-Expand-Label (RFC 8446 7.1) with an empty context, for outputs of at most 32 bytes: then
   * HKDF-Expand (RFC 5869) is its first block, {@code HMAC(secret, info || 0x01)}, cut short.
   */
  static byte[] expandLabel(byte[] secret, String label, int length) {
    byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
    byte[] info = new byte[2 + 1 + full.length + 1 + 1];
    info[0] = (byte) (length >>> 8);
    info[1] = (byte) length;
    info[2] = (byte) full.length;
    System.arraycopy(full, 0, info, 3, full.length);
    info[3 + full.length] = 0; // empty context
    info[4 + full.length] = 1; // HKDF-Expand block counter
    byte[] t1 = hmac(secret, info);
    byte[] out = new byte[length];
    System.arraycopy(t1, 0, out, 0, length);
    return out;
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = HMAC.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
