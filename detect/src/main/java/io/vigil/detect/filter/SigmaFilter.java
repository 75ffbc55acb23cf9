package io.vigil.detect.filter;

import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One Sigma filter document, parsed and compiled: the rules it names (ids or names, as written),
 * its searches and condition compiled as a rule under the filter's log source, and that log
 * source's mapping onto Vigil's events. For every rule named, the rule's condition becomes {@code
 * (rule) and not (filter)}: an event the filter {@link #selects} no longer matches the rule.
 * Immutable apart from its silenced counter; thread-safe. Read with {@link FilterReader}.
 */
public final class SigmaFilter {
  private final Path file;
  private final String id;
  private final String title;
  private final String taxonomy;
  private final List<String> rules;
  private final CompiledRule compiled;
  private final LogSourceMapping mapping;
  private final LongAdder silenced = new LongAdder();

  SigmaFilter(
      Path file,
      String id,
      String title,
      String taxonomy,
      List<String> rules,
      CompiledRule compiled,
      LogSourceMapping mapping) {
    this.file = file;
    this.id = id;
    this.title = title;
    this.taxonomy = taxonomy;
    this.rules = List.copyOf(rules);
    this.compiled = compiled;
    this.mapping = mapping;
  }

  public Path file() {
    return file;
  }

  /** The filter's {@code id}; null when it has none. */
  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  /** The {@code taxonomy} it declares; null when it leaves it out (Sigma's own). */
  public String taxonomy() {
    return taxonomy;
  }

  /** The rules it applies to, as written under {@code filter.rules}: ids or names. */
  public List<String> rules() {
    return rules;
  }

  /** Its searches and condition, compiled as a rule (id, title and log source are the filter's). */
  public CompiledRule compiled() {
    return compiled;
  }

  /** What its log source means on Vigil. */
  public LogSourceMapping mapping() {
    return mapping;
  }

  /**
   * How reports and counters name it: its id (or quoted title when it has none) and its file. The
   * title is file content: escape it where it is shown.
   */
  public String label() {
    return (id != null ? id : "\"" + title + "\"") + " (" + file + ")";
  }

  /**
   * Whether {@code event} is of a kind the filter's log source covers and one of its views under
   * that log source satisfies the filter's condition. Does not block.
   */
  public boolean selects(Event event) {
    for (SigmaFields view : mapping.present(event)) {
      if (compiled.matches(view)) {
        return true;
      }
    }
    return false;
  }

  void countSilenced() {
    silenced.increment();
  }

  /** Findings this filter silenced since it was loaded. */
  public long silencedCount() {
    return silenced.sum();
  }

  @Override
  public String toString() {
    return "SigmaFilter[" + label() + "]";
  }
}
