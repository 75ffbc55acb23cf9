package io.vigil.collector.sink;

import java.util.List;
import java.util.Locale;

/**
 * Which alerts a sink delivers. An alert passes when its level is at least {@code minLevel} (an
 * alert without a level counts as {@code informational}, the lowest), its source is one of {@code
 * sources} (empty: any), and it has at least one of {@code tags} (empty: any; a tag ending in
 * {@code *} matches every tag starting with what precedes it, e.g. {@code attack.t1059*}). Tags and
 * sources compare case-insensitively. Immutable, thread-safe.
 */
public record AlertFilter(String minLevel, List<String> tags, List<String> sources) {
  /** The levels, lowest first. */
  public static final List<String> LEVELS =
      List.of("informational", "low", "medium", "high", "critical");

  /** Every alert passes. */
  public static final AlertFilter ALL = new AlertFilter("informational", List.of(), List.of());

  public AlertFilter {
    if (!LEVELS.contains(minLevel)) {
      throw new IllegalArgumentException("unknown level " + minLevel);
    }
    tags = tags.stream().map(t -> t.toLowerCase(Locale.ROOT)).toList();
    sources = sources.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
  }

  /** Whether the sink delivers {@code alert}. */
  public boolean accepts(SinkAlert alert) {
    if (rank(alert.level()) < LEVELS.indexOf(minLevel)) {
      return false;
    }
    if (!sources.isEmpty() && !sources.contains(alert.source().toLowerCase(Locale.ROOT))) {
      return false;
    }
    if (tags.isEmpty()) {
      return true;
    }
    for (String tag : alert.tags()) {
      String t = tag.toLowerCase(Locale.ROOT);
      for (String want : tags) {
        if (want.endsWith("*")
            ? t.startsWith(want.substring(0, want.length() - 1))
            : t.equals(want)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A level's rank; none or one no rule should give counts as informational. */
  private static int rank(String level) {
    int i = level == null ? -1 : LEVELS.indexOf(level.toLowerCase(Locale.ROOT));
    return Math.max(i, 0);
  }
}
