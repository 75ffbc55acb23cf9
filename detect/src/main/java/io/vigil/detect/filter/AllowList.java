package io.vigil.detect.filter;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SafeYaml;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The global allow-list: alerts an operator has decided are expected, whatever raised them (a Sigma
 * rule, a correlation, a threat-intel hit). Read from a YAML file:
 *
 * <pre>{@code
 * entries:
 *   - reason: nightly backup runs rsync to the NAS   # required
 *     rules: [<rule id>, ...]        # optional: only alerts of these rule ids
 *     hosts: [backup-*]              # optional: only on hosts matching one of these globs
 *     indicators: [10.0.0.5, example.org]   # optional: only threat-intel hits on these values
 *     match:                         # optional: a Sigma selection on the event
 *       Image|endswith: /usr/bin/rsync
 *     expires: 2026-12-31            # optional: last day (UTC) the entry applies
 * }</pre>
 *
 * An alert is allowed (silenced) when every key an entry gives agrees with it; an entry must give
 * at least one of {@code rules}, {@code hosts}, {@code indicators} or {@code match}. {@code rules}
 * compare exactly with the alert's rule id (for intel, {@code intel:<type>:<value>}). {@code hosts}
 * are globs ({@code *}, {@code ?}), letter case ignored; an alert with no host never matches them.
 * {@code indicators} compare, letter case and a domain's final dot ignored, with the value of the
 * indicator a threat-intel hit matched; alerts that are not intel hits never match them. {@code
 * match} is one Sigma selection (a map of field items, every modifier as in rules) on the event
 * under its kind's default log source (exec: {@code linux/process_creation}, connection: {@code
 * network_connection}, file: {@code file_event}/{@code file_delete}/{@code file_change}, DNS:
 * {@code dns_query}, TLS: {@code tls}, HTTP: {@code proxy}, flow: {@code zeek/conn}), so the field
 * names are the rules' own. An entry past its {@code expires} day is ignored, and reported at load.
 * Unknown keys, an entry that narrows nothing, a selection that does not compile or names a field
 * Vigil never fills: the whole file is refused with every error and its path.
 *
 * <p>Immutable apart from its counters; thread-safe: many threads may ask at once.
 */
public final class AllowList {
  private final List<AllowEntry> entries;
  private final List<String> notes;
  private final Clock clock;
  private final LongAdder errors = new LongAdder();

  private AllowList(List<AllowEntry> entries, List<String> notes, Clock clock) {
    this.entries = List.copyOf(entries);
    this.notes = List.copyOf(notes);
    this.clock = clock;
  }

  /** No entries: allows nothing. */
  public static AllowList empty() {
    return new AllowList(List.of(), List.of(), Clock.systemUTC());
  }

  /** The allow-list in {@code file}, expiry judged by the system clock. Blocks on file I/O. */
  public static AllowList load(Path file) throws AllowListException, IOException {
    return load(file, Clock.systemUTC());
  }

  /** The allow-list in {@code file}; {@code clock} says what day it is (UTC) for expiry. */
  public static AllowList load(Path file, Clock clock) throws AllowListException, IOException {
    String text;
    try {
      text = SafeYaml.readFile(file);
    } catch (SigmaRuleException e) {
      throw new AllowListException(file.toString(), List.of(e.getMessage()));
    }
    return parse(text, file.toString(), clock);
  }

  /** The allow-list in {@code text}; {@code origin} names it in errors. */
  public static AllowList parse(String text, String origin, Clock clock) throws AllowListException {
    List<AllowEntry> entries = AllowListReader.read(text, origin);
    LocalDate today = today(clock);
    List<String> notes = new ArrayList<>();
    for (AllowEntry e : entries) {
      if (e.expiredOn(today)) {
        notes.add(
            origin
                + ": "
                + "entries["
                + e.index()
                + "].expires: "
                + e.expires()
                + " has passed: the entry is ignored");
      }
    }
    return new AllowList(entries, notes, clock);
  }

  /**
   * The first entry (in file order, not expired today) that allows this alert, counting it: {@code
   * entries[2]: reason}; empty when none does. {@code host} may be null when unknown; {@code event}
   * may be null for an alert without one (then no {@code match} entry applies); {@code
   * indicatorValue} is the matched indicator's value for a threat-intel hit and null otherwise. An
   * entry that throws while matching (never expected) allows nothing and is counted in {@link
   * #errors}. Does not block.
   */
  public Optional<String> allows(String ruleId, String host, Event event, String indicatorValue) {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    LocalDate today = today(clock);
    for (AllowEntry e : entries) {
      if (e.expiredOn(today)) {
        continue;
      }
      boolean allowed;
      try {
        allowed = e.allows(ruleId, host, event, indicatorValue);
      } catch (RuntimeException ex) {
        errors.increment();
        continue;
      }
      if (allowed) {
        e.countSilenced();
        return Optional.of(e.label());
      }
    }
    return Optional.empty();
  }

  /** The entries, in file order, expired ones included. */
  public List<AllowEntry> entries() {
    return entries;
  }

  /** What an operator should read about the file even though it loaded: expired entries. */
  public List<String> notes() {
    return notes;
  }

  /** Alerts silenced by each entry, by {@link AllowEntry#label}, in file order. */
  public Map<String, Long> silencedCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.label(), e.silencedCount()));
    return out;
  }

  /** Entry evaluations that threw, since the list was loaded. */
  public long errors() {
    return errors.sum();
  }

  private static LocalDate today(Clock clock) {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
