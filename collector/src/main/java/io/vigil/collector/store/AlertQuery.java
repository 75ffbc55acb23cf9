package io.vigil.collector.store;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which alerts {@link StoreReader#alerts} returns, newest first. Immutable.
 *
 * @param states the triage states to include; empty: all
 * @param minLevel the lowest Sigma level to include (see {@link #LEVELS}); null: any, including
 *     alerts without a level
 * @param host a host name or agent id, matched exactly; null: any
 * @param rule a rule id (exact) or part of a title (ASCII case-insensitive); null: any
 * @param source {@code sigma}, {@code correlation}, {@code intel} or {@code fim}; null: any
 * @param sinceNs only alerts whose latest match is at or after this event time; null: no bound
 * @param untilNs only alerts whose earliest match is at or before this event time; null: no bound
 * @param limit at most this many alerts (1 to {@link #MAX_LIMIT})
 */
public record AlertQuery(
    Set<String> states,
    String minLevel,
    String host,
    String rule,
    String source,
    Long sinceNs,
    Long untilNs,
    int limit) {
  /** The triage states, in workflow order. */
  public static final List<String> STATES = List.of("new", "acknowledged", "closed");

  /** Sigma levels, lowest first. */
  public static final List<String> LEVELS =
      List.of("informational", "low", "medium", "high", "critical");

  /** Alert sources. */
  public static final List<String> SOURCES =
      List.of("sigma", "correlation", "intel", "fim", "health");

  public static final int MAX_LIMIT = 100_000;

  public AlertQuery {
    states = Set.copyOf(states);
    for (String s : states) {
      if (!STATES.contains(s)) {
        throw new IllegalArgumentException("unknown state \"" + s + "\"; states: " + STATES);
      }
    }
    if (minLevel != null && !LEVELS.contains(minLevel)) {
      throw new IllegalArgumentException("unknown level \"" + minLevel + "\"; levels: " + LEVELS);
    }
    if (source != null && !SOURCES.contains(source)) {
      throw new IllegalArgumentException("unknown source \"" + source + "\"; sources: " + SOURCES);
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT + ", got " + limit);
    }
  }

  /** Alerts not yet closed, newest {@code limit}. */
  public static AlertQuery open(int limit) {
    return new AlertQuery(Set.of("new", "acknowledged"), null, null, null, null, null, null, limit);
  }

  public AlertQuery withStates(Set<String> s) {
    return new AlertQuery(s, minLevel, host, rule, source, sinceNs, untilNs, limit);
  }

  public AlertQuery withMinLevel(String l) {
    return new AlertQuery(states, l, host, rule, source, sinceNs, untilNs, limit);
  }

  public AlertQuery withHost(String h) {
    return new AlertQuery(states, minLevel, h, rule, source, sinceNs, untilNs, limit);
  }

  public AlertQuery withRule(String r) {
    return new AlertQuery(states, minLevel, host, r, source, sinceNs, untilNs, limit);
  }

  public AlertQuery withSource(String s) {
    return new AlertQuery(states, minLevel, host, rule, s, sinceNs, untilNs, limit);
  }

  public AlertQuery withSince(Long ns) {
    return new AlertQuery(states, minLevel, host, rule, source, ns, untilNs, limit);
  }

  public AlertQuery withUntil(Long ns) {
    return new AlertQuery(states, minLevel, host, rule, source, sinceNs, ns, limit);
  }

  public AlertQuery withLimit(int n) {
    return new AlertQuery(states, minLevel, host, rule, source, sinceNs, untilNs, n);
  }

  /** Level rank for SQL: {@link #LEVELS} index, -1 for none or unknown. */
  static String levelRankSql(String column) {
    StringBuilder b = new StringBuilder("(CASE lower(").append(column).append(')');
    for (int i = 0; i < LEVELS.size(); i++) {
      b.append(" WHEN '").append(LEVELS.get(i)).append("' THEN ").append(i);
    }
    return b.append(" ELSE -1 END)").toString();
  }

  static int rank(String level) {
    return LEVELS.indexOf(Objects.requireNonNull(level));
  }
}
