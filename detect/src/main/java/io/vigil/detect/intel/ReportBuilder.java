package io.vigil.detect.intel;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects one file's indicators and its {@link SourceReport} while a loader reads it. Bounded: a
 * hostile feed can make many distinct reasons or examples, never many kept. Not thread-safe (one
 * loader, one file).
 */
final class ReportBuilder {
  static final int MAX_EXAMPLES = 20;
  static final int MAX_REASONS = 40;
  static final int MAX_ERRORS = 20;
  private static final int MAX_EXAMPLE_CHARS = 300;

  final String source;
  private String format;
  private final Map<IndicatorType, Integer> loaded = new EnumMap<>(IndicatorType.class);
  private final Map<String, Integer> skipped = new TreeMap<>();
  private final List<String> examples = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<Indicator> indicators = new ArrayList<>();

  ReportBuilder(String source, String format) {
    this.source = source;
    this.format = format;
  }

  void format(String f) {
    format = f;
  }

  void add(Indicator i) {
    indicators.add(i);
    loaded.merge(i.type(), 1, Integer::sum);
  }

  /** One entry not loaded: {@code reason} is a short category, {@code detail} says where. */
  void skip(String reason, String detail) {
    String key = skipped.size() >= MAX_REASONS && !skipped.containsKey(reason) ? "other" : reason;
    skipped.merge(Indicator.bound(key, 120), 1, Integer::sum);
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(Indicator.bound(reason + ": " + detail, MAX_EXAMPLE_CHARS));
    }
  }

  void error(String message) {
    if (errors.size() < MAX_ERRORS) {
      errors.add(Indicator.bound(message, MAX_EXAMPLE_CHARS));
    }
  }

  List<Indicator> indicators() {
    return indicators;
  }

  SourceReport report() {
    return new SourceReport(source, format, loaded, skipped, examples, errors);
  }
}
