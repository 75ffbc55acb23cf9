package io.vigil.collector.api;

import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.trust.TokenText;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The text of API tokens: {@code vigil-api-} and 43 base64url characters (32 random bytes). The
 * public id and the stored SHA-256 are those of every Vigil token ({@link TokenText}), so enrolment
 * and API tokens are hashed and named the same way. Stateless; thread-safe.
 */
final class ApiTokens {
  /** What every API token's text starts with (so that a leaked one is recognisable). */
  static final String PREFIX = "vigil-api-";

  private static final Pattern FORMAT = Pattern.compile("vigil-api-[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiTokens() {}

  /**
   * A new token: its secret text, shown once, and what the store keeps of it.
   *
   * @param text the secret
   * @param stored its public id and hash
   */
  record Minted(String text, ApiTokenStore.NewToken stored) {}

  /** A new token with a fresh secret and id. */
  static Minted mint() {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String text = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return new Minted(text, new ApiTokenStore.NewToken(TokenText.newId(), hash(text)));
  }

  /** True for text in the form of an API token (which says nothing of whether it exists). */
  static boolean wellFormed(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /** What the store looks a token up by. */
  static String hash(String text) {
    return TokenText.sha256Hex(text);
  }
}
