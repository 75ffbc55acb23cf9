package io.vigil.common.pki;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * SHA-256 fingerprints of certificates, as operators pass them to {@code vigil-agent enroll
 * --ca-fingerprint}: lower-case hex of the DER encoding. {@link #normalise} also accepts the {@code
 * openssl x509 -fingerprint -sha256} spelling (upper case, colons) and a {@code sha256:} prefix.
 */
public final class Fingerprint {
  private Fingerprint() {}

  /** SHA-256 of the certificate's DER encoding, lower-case hex (64 characters). */
  public static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode certificate or no SHA-256", e);
    }
  }

  /**
   * The fingerprint in lower-case hex without separators.
   *
   * @throws IllegalArgumentException when it is not 32 bytes of hex
   */
  public static String normalise(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("sha256:")) {
      t = t.substring("sha256:".length());
    } else if (t.startsWith("sha256 fingerprint=")) {
      t = t.substring("sha256 fingerprint=".length());
    }
    t = t.replace(":", "");
    if (!t.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "a SHA-256 fingerprint is 64 hex digits (colons allowed), got "
              + (text.length() > 100 ? text.length() + " characters" : "\"" + text + "\""));
    }
    return t;
  }

  /** True when the two spellings name the same fingerprint; false when either is malformed. */
  public static boolean same(String a, String b) {
    try {
      return MessageDigest.isEqual(
          normalise(a).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          normalise(b).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
