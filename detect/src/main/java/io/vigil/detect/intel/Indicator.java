package io.vigil.detect.intel;

import java.util.List;
import java.util.Objects;

/**
 * One indicator of compromise, as loaded. Immutable.
 *
 * @param type what the value is
 * @param value the normalised value (see {@link IndicatorType})
 * @param source the file it came from, as the path was given
 * @param sourceName a human name for where it came from: the MISP event's info, the STIX
 *     indicator's name, else the file name
 * @param id the STIX indicator id, the MISP attribute uuid, or {@code file:line}
 * @param description bounded free text from the feed ("" when none)
 * @param labels bounded tags or labels from the feed
 * @param allOf for a STIX pattern that joins comparisons with AND: the conjunction this indicator
 *     is one part of; it only hits when every part matches the same event
 */
public record Indicator(
    IndicatorType type,
    String value,
    String source,
    String sourceName,
    String id,
    String description,
    List<String> labels,
    AllOf allOf) {

  /** Longest description kept; feeds paste whole reports into it. */
  public static final int MAX_DESCRIPTION = 500;

  /** Most labels kept, and the longest label. */
  public static final int MAX_LABELS = 16;

  public static final int MAX_LABEL = 100;

  /** Longest source name and id kept: both end up in alert titles and output lines. */
  public static final int MAX_NAME = 200;

  public Indicator {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(allOf, "allOf");
    sourceName = bound(sourceName, MAX_NAME);
    id = bound(id, MAX_NAME);
    labels = labels == null ? List.of() : labels;
    description = bound(description, MAX_DESCRIPTION);
    labels = labels.stream().limit(MAX_LABELS).map(l -> bound(l, MAX_LABEL)).distinct().toList();
  }

  /** A plain indicator, matched on its own. */
  public Indicator(
      IndicatorType type,
      String value,
      String source,
      String sourceName,
      String id,
      String description,
      List<String> labels) {
    this(type, value, source, sourceName, id, description, labels, AllOf.NONE);
  }

  /**
   * The conjunction an indicator belongs to.
   *
   * @param key identifies the conjunction within its source (the indicator id and the term)
   * @param size how many parts must match; 1 for a plain indicator
   */
  public record AllOf(String key, int size) {
    public static final AllOf NONE = new AllOf("", 1);
  }

  static String bound(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }
}
