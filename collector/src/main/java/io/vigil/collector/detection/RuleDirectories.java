package io.vigil.collector.detection;

import io.vigil.collector.config.DetectionSection;
import io.vigil.common.text.TerminalText;
import io.vigil.detect.engine.BundledRules;
import io.vigil.detect.engine.RuleCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule directories a {@link DetectionSection} names, checked and loaded into one catalog: the
 * starter rules first, then {@code rule_dirs} in order. Blocks on file I/O.
 */
final class RuleDirectories {
  private static final Logger log = LoggerFactory.getLogger(RuleDirectories.class);

  private RuleDirectories() {}

  /**
   * @throws RuleLoadException when a directory does not exist, is not a directory, or cannot be
   *     walked; a single unreadable rule file is not an error but a skipped entry of the catalog
   */
  static RuleCatalog load(DetectionSection section) throws RuleLoadException {
    List<Path> dirs = new ArrayList<>();
    if (section.starterRules()) {
      try {
        dirs.add(BundledRules.directory());
      } catch (IOException e) {
        throw new RuleLoadException(
            "detection.starter_rules: cannot open the starter rules shipped in the collector: "
                + e.getMessage(),
            e);
      }
    }
    for (Path dir : section.ruleDirs()) {
      String problem =
          !Files.exists(dir)
              ? "does not exist"
              : !Files.isDirectory(dir)
                  ? "is not a directory"
                  : !Files.isReadable(dir) ? "cannot be read (permission denied)" : null;
      if (problem != null) {
        throw new RuleLoadException(
            "detection.rule_dirs: rule directory " + dir + " " + problem, null);
      }
      dirs.add(dir);
    }
    log.info("detection: loading rules from {}", TerminalText.escape(dirs.toString(), 2000));
    try {
      return RuleCatalog.load(dirs);
    } catch (IOException | UncheckedIOException e) {
      // Files.walk reports a subdirectory it cannot list as an UncheckedIOException.
      IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
      throw new RuleLoadException(
          "detection.rule_dirs: cannot read the rule directories " + dirs + ": " + cause, cause);
    }
  }
}
