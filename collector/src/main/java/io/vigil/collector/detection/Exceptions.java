package io.vigil.collector.detection;

import io.vigil.collector.config.DetectionSection;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.filter.AllowList;
import io.vigil.detect.filter.FilterSet;

/**
 * Loads the exceptions a {@link DetectionSection} names, the Sigma filter files and the global
 * allow-list, and says at start what each holds and what did not load. Blocks on file I/O.
 */
final class Exceptions {
  private Exceptions() {}

  /** The filters of {@code detection.filter_dirs}; null when none are configured. */
  static FilterSet filters(DetectionSection section, RuleCatalog catalog) throws RuleLoadException {
    if (section.filterDirs().isEmpty()) {
      return null;
    }
    throw new UnsupportedOperationException("wired at merge");
  }

  /** The allow-list of {@code detection.allow_list}; null when none is configured. */
  static AllowList allowList(DetectionSection section) throws RuleLoadException {
    if (section.allowList().isEmpty()) {
      return null;
    }
    throw new UnsupportedOperationException("wired at merge");
  }
}
