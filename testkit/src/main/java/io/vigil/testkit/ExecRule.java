package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Sigma rule that matches every process start (any image path), so that a synthetic agent's execs
 * raise one alert each: for tests of where alerts go (sinks, outputs), not of detection.
 */
public final class ExecRule {
  private ExecRule() {}

  /**
   * Writes the rule as {@code synthetic_exec.yml} in {@code rules} (created if missing) and returns
   * {@code rules}, ready for the collector's {@code detection.rule_dirs}.
   *
   * @param level the Sigma level ({@code low} to {@code critical})
   */
  public static Path write(Path rules, String id, String title, String level) throws IOException {
    Files.createDirectories(rules);
    Files.writeString(
        rules.resolve("synthetic_exec.yml"),
        String.join(
            "\n",
            "title: " + title,
            "id: " + id,
            "level: " + level,
            "tags: [attack.t1059]",
            "logsource:",
            "  category: process_creation",
            "  product: linux",
            "detection:",
            "  selection:",
            "    Image|contains: /",
            "  condition: selection",
            ""));
    return rules;
  }
}
