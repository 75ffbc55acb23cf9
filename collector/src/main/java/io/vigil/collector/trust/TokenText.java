package io.vigil.collector.trust;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The text of enrolment tokens: {@code vigil-enroll-} and 43 characters of base64url (32 random
 * bytes), a short random public id per token, and the SHA-256 hex under which a token is stored.
 * Stateless; thread-safe.
 */
public final class TokenText {
  /** Prefix of every enrolment token: an operator can tell one from an API token at a glance. */
  public static final String ENROLMENT_PREFIX = "vigil-enroll-";

  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenText() {}

  /** A new enrolment token secret. */
  public static String newEnrolmentToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return ENROLMENT_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A new public token id: 12 lower-case hex characters. */
  public static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /**
   * SHA-256 of the token text (UTF-8), lower-case hex: what is stored and looked up. A lookup by
   * hash needs no constant-time comparison: timing reveals at most which hashes are near, not the
   * secret.
   */
  public static String sha256Hex(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
