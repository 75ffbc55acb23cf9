package io.vigil.detect.filter;

import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.Event;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * One allow-list entry: a reason and the narrowing keys it was given, each {@code null} when left
 * out. An alert is allowed when every key given agrees (see {@link AllowList}). Immutable apart
 * from its counter; thread-safe.
 */
public final class AllowEntry {
  private final int index;
  private final String reason;
  private final Set<String> rules;
  private final List<HostGlob> hosts;
  private final Set<String> indicators;
  private final CompiledRule match;
  private final LocalDate expires;
  private final LongAdder silenced = new LongAdder();

  AllowEntry(
      int index,
      String reason,
      List<String> rules,
      List<String> hosts,
      List<String> indicators,
      CompiledRule match,
      LocalDate expires) {
    this.index = index;
    this.reason = reason;
    this.rules = rules == null ? null : Set.copyOf(rules);
    this.hosts = hosts == null ? null : hosts.stream().map(HostGlob::new).toList();
    this.indicators =
        indicators == null
            ? null
            : indicators.stream().map(AllowEntry::fold).collect(Collectors.toUnmodifiableSet());
    this.match = match;
    this.expires = expires;
  }

  /** Its position in {@code entries}, from 0. */
  public int index() {
    return index;
  }

  public String reason() {
    return reason;
  }

  /** The last day (UTC) it applies; null when it does not expire. */
  public LocalDate expires() {
    return expires;
  }

  /** How results and counters name it: {@code entries[2]: reason}. Escape where shown. */
  public String label() {
    return "entries[" + index + "]: " + reason;
  }

  boolean expiredOn(LocalDate today) {
    return expires != null && today.isAfter(expires);
  }

  /** Whether every key this entry gives agrees with the alert; see {@link AllowList#allows}. */
  boolean allows(String ruleId, String host, Event event, String indicator) {
    if (rules != null && (ruleId == null || !rules.contains(ruleId))) {
      return false;
    }
    if (hosts != null && (host == null || hosts.stream().noneMatch(g -> g.matches(host)))) {
      return false;
    }
    if (indicators != null && (indicator == null || !indicators.contains(fold(indicator)))) {
      return false;
    }
    return match == null || (event != null && matches(event));
  }

  private boolean matches(Event event) {
    for (SigmaFields view : DefaultLogSources.views(event)) {
      if (match.matches(view)) {
        return true;
      }
    }
    return false;
  }

  void countSilenced() {
    silenced.increment();
  }

  public long silencedCount() {
    return silenced.sum();
  }

  /**
   * Indicator values compare ignoring letter case (domains, hex hashes) and a domain's root dot.
   */
  static String fold(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    return v.length() > 1 && v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
  }
}
