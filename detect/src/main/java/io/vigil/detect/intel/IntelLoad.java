package io.vigil.detect.intel;

import java.util.List;

/**
 * The result of loading indicator files: the set to match and what each file gave. Immutable.
 *
 * @param set every indicator that loaded
 * @param reports one per file (and per directory or MISP feed), in load order
 */
public record IntelLoad(IndicatorSet set, List<SourceReport> reports) {
  public IntelLoad {
    reports = List.copyOf(reports);
  }

  /** Reports with errors: a file missing, unreadable, too large, not JSON, of no known format. */
  public List<SourceReport> failures() {
    return reports.stream().filter(r -> !r.errors().isEmpty()).toList();
  }
}
