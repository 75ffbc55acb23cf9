package io.vigil.detect.intel;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one indicator file gave: indicators by type, what was skipped and why (by category), and
 * errors that stopped part or all of it, each naming where (line, JSON path, indicator id). The
 * lists of examples are bounded; the counts are exact. Immutable.
 *
 * @param source the file, as the path was given
 * @param format how it was read: {@code list}, {@code csv}, {@code stix}, {@code misp}, {@code
 *     misp-feed}, or {@code none} when it could not be read
 * @param loaded indicators made, by type
 * @param skipped entries not made into indicators, by reason
 * @param examples some skipped entries, each with where and why
 * @param errors problems reading the file (too large, not JSON, unreadable); bounded
 */
public record SourceReport(
    String source,
    String format,
    Map<IndicatorType, Integer> loaded,
    Map<String, Integer> skipped,
    List<String> examples,
    List<String> errors) {

  public SourceReport {
    loaded = Map.copyOf(loaded);
    skipped = Map.copyOf(skipped);
    examples = List.copyOf(examples);
    errors = List.copyOf(errors);
  }

  /** The error of a path that does not exist. */
  public static final String MISSING = "no such file or directory";

  /** True when the only problem is that the path does not exist (yet: feeds are often synced). */
  public boolean missing() {
    return errors.equals(List.of(MISSING));
  }

  public int loadedTotal() {
    return loaded.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int skippedTotal() {
    return skipped.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** One line: {@code file (format): 12 loaded (IP 4, DOMAIN 8); 3 skipped (...); 1 error}. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(source)
        .append(" (")
        .append(format)
        .append("): ")
        .append(loadedTotal())
        .append(" loaded");
    if (!loaded.isEmpty()) {
      b.append(" (").append(join(loaded)).append(')');
    }
    if (!skipped.isEmpty()) {
      b.append("; ").append(skippedTotal()).append(" skipped (").append(join(skipped)).append(')');
    }
    if (!errors.isEmpty()) {
      b.append("; error: ").append(errors.get(0));
      if (errors.size() > 1) {
        b.append(" (+").append(errors.size() - 1).append(" more)");
      }
    }
    return b.toString();
  }

  private static String join(Map<?, Integer> m) {
    return m.entrySet().stream()
        .sorted(Map.Entry.comparingByKey((a, c) -> a.toString().compareTo(c.toString())))
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
