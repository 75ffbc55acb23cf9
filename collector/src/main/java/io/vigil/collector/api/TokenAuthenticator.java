package io.vigil.collector.api;

import io.grpc.Status;
import io.grpc.StatusException;
import io.vigil.collector.store.ApiTokenRow;
import io.vigil.collector.store.ApiTokenStore;
import io.vigil.collector.store.StoreException;
import io.vigil.common.time.WallClock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the {@code authorization} metadata of a call into a {@link Principal}. The token is looked
 * up in the store at every call, so a revocation takes effect on the next call. A token's {@code
 * last_used_ns} is written at most once a minute per token: every call writing it would put the
 * operator API on the ingest writer's lock for nothing. Thread-safe; blocks on the store.
 */
final class TokenAuthenticator {
  private static final Logger log = LoggerFactory.getLogger(TokenAuthenticator.class);

  /** How often a token's last use is written at most. */
  static final long TOUCH_INTERVAL_NS = 60_000_000_000L;

  private static final String BEARER = "bearer ";

  private final ApiTokenStore tokens;
  private final LongSupplier nowNs;
  private final Map<String, Long> touched = new ConcurrentHashMap<>();

  TokenAuthenticator(ApiTokenStore tokens, LongSupplier nowNs) {
    this.tokens = tokens;
    this.nowNs = nowNs;
  }

  /**
   * @param authorization the metadata value, null when absent
   * @throws StatusException UNAUTHENTICATED with a description saying why
   */
  Principal authenticate(String authorization) throws StatusException {
    if (authorization == null || authorization.isBlank()) {
      throw refused("no API token: the call has no metadata \"authorization: Bearer <token>\"");
    }
    if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      throw refused("the authorization metadata is not \"Bearer <token>\"");
    }
    String token = authorization.substring(BEARER.length()).trim();
    if (!token.startsWith(ApiTokens.PREFIX)) {
      throw refused("not a Vigil API token (those start with " + ApiTokens.PREFIX + ")");
    }
    if (!ApiTokens.wellFormed(token)) {
      throw refused("unknown API token");
    }
    Optional<ApiTokenRow> found;
    try {
      found = tokens.find(ApiTokens.hash(token));
    } catch (StoreException e) {
      log.error("cannot check an API token", e);
      throw Status.UNAVAILABLE
          .withDescription("the collector cannot check API tokens now: its store failed")
          .asException();
    }
    if (found.isEmpty()) {
      throw refused("unknown API token");
    }
    ApiTokenRow row = found.get();
    long now = nowNs.getAsLong();
    String name = "API token " + row.tokenId() + " of operator " + row.operator();
    if (row.revokedNs() != 0) {
      throw refused(name + " was revoked at " + WallClock.toInstant(row.revokedNs()));
    }
    if (row.expiresNs() != 0 && now >= row.expiresNs()) {
      throw refused(name + " expired at " + WallClock.toInstant(row.expiresNs()));
    }
    OperatorRole role;
    try {
      role = OperatorRole.of(row.role());
    } catch (IllegalArgumentException e) {
      throw refused(name + " has an unknown role");
    }
    touch(row.tokenId(), now);
    return new Principal(row.operator(), role, row.tokenId());
  }

  private void touch(String tokenId, long now) {
    Long last = touched.get(tokenId);
    if (last != null && now - last < TOUCH_INTERVAL_NS) {
      return;
    }
    touched.put(tokenId, now);
    try {
      tokens.touch(tokenId, now);
    } catch (StoreException e) {
      // Only bookkeeping: the call itself is authenticated; say so and go on.
      log.warn("cannot record the last use of API token {}: {}", tokenId, e.getMessage());
    }
  }

  private static StatusException refused(String why) {
    return Status.UNAUTHENTICATED.withDescription(why).asException();
  }
}
