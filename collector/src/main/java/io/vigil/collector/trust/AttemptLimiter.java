package io.vigil.collector.trust;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * At most {@code max} attempts in any sliding minute over all callers, and at most {@code
 * maxPerPeer} from one peer address. The global bound limits what a flood of enrolment attempts
 * costs (a token lookup, a signature check) and how fast tokens could be guessed; the per-peer
 * bound keeps one host (a broken script, a scanner) from using up the whole minute and blocking
 * everyone else's rollout. Thread-safe.
 *
 * <p>A peer's attempt is counted only when the global bound took it, so the peers remembered are at
 * most as many as the attempts of the last minute (stale ones are swept out).
 */
final class AttemptLimiter {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  /** What {@link #tryAcquire} decided. */
  enum Verdict {
    TAKEN,
    /** This peer used up its share of the minute; nothing was taken. */
    PEER_FULL,
    /** Every caller together used up the minute; nothing was taken. */
    ALL_FULL
  }

  private final int max;
  private final int maxPerPeer;
  private final Clock clock;
  private final ArrayDeque<Instant> recent = new ArrayDeque<>();
  private final Map<String, ArrayDeque<Instant>> byPeer = new HashMap<>();

  AttemptLimiter(int max, int maxPerPeer, Clock clock) {
    if (max < 1 || maxPerPeer < 1) {
      throw new IllegalArgumentException(
          "attempt limits must be at least 1, got " + max + " and " + maxPerPeer + " per peer");
    }
    this.max = max;
    this.maxPerPeer = maxPerPeer;
    this.clock = clock;
  }

  /** The per-peer share of a global limit: a quarter, at least one. */
  static int perPeerShare(int max) {
    return Math.max(1, max / 4);
  }

  /** Takes one attempt for {@code peer} (an address without its port), if both bounds allow. */
  synchronized Verdict tryAcquire(String peer) {
    Instant now = clock.instant();
    Instant oldest = now.minus(WINDOW);
    drop(recent, oldest);
    ArrayDeque<Instant> mine = byPeer.get(peer);
    if (mine != null) {
      drop(mine, oldest);
      if (mine.size() >= maxPerPeer) {
        return Verdict.PEER_FULL;
      }
    }
    if (recent.size() >= max) {
      return Verdict.ALL_FULL;
    }
    recent.addLast(now);
    if (mine == null) {
      if (byPeer.size() >= 2 * max) {
        // Amortised: at most max peers have an attempt in the window, so this halves the map.
        byPeer.values().removeIf(q -> drop(q, oldest));
      }
      mine = new ArrayDeque<>();
      byPeer.put(peer, mine);
    }
    mine.addLast(now);
    return Verdict.TAKEN;
  }

  /** Drops attempts at or before {@code oldest}; true when none is left. */
  private static boolean drop(ArrayDeque<Instant> q, Instant oldest) {
    while (!q.isEmpty() && !q.peekFirst().isAfter(oldest)) {
      q.pollFirst();
    }
    return q.isEmpty();
  }
}
