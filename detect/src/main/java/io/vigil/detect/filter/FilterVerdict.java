package io.vigil.detect.filter;

import java.nio.file.Path;
import java.util.Set;

/**
 * What happened to one filter file when a {@link FilterSet} was loaded: exactly one {@link Kind},
 * whether the filter is in force ({@code loaded}), the filter's label when it could be read (else
 * empty), the Sigma fields it names that Vigil never fills for its log source, and the detail in
 * words. Immutable.
 */
public record FilterVerdict(
    Path file,
    Kind kind,
    boolean loaded,
    String filter,
    Set<String> unfilledFields,
    String detail) {

  public enum Kind {
    /** Read, compiled, its log source has Vigil telemetry and every field it names is filled. */
    LOADED("loaded"),
    /**
     * Names fields Vigil never fills for its log source: loaded when it can still select events
     * without selecting more than written, else not loaded (it could never silence anything, or a
     * {@code not} over a search that never matches would make it silence more than written).
     */
    UNFILLED_FIELDS("unfilled fields"),
    /** Its log source or taxonomy has no Vigil telemetry: not loaded, with the reason. */
    NOT_APPLICABLE("not applicable on Vigil"),
    /** Cannot be read or compiled, or reuses an id: not loaded, with the YAML path and why. */
    ERROR("error");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public FilterVerdict {
    unfilledFields = Set.copyOf(unfilledFields);
  }

  /** One line for a log or a report: {@code file: class[, not loaded]: detail}. */
  public String describe() {
    return file
        + ": "
        + kind.label()
        + (loaded ? "" : ", not loaded")
        + (detail.isEmpty() ? "" : ": " + detail);
  }
}
