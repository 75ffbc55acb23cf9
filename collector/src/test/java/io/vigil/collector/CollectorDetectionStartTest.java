package io.vigil.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.collector.config.CollectorConfig;
import io.vigil.collector.detection.RuleLoadException;
import io.vigil.collector.detection.TestRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole collector's start with detection configured. */
class CollectorDetectionStartTest {
  @TempDir Path dir;

  private CollectorConfig config(Path ruleDir) throws Exception {
    return CollectorConfig.load(
        Optional.empty(),
        Map.of(),
        List.of(
            "collector.state_dir=" + dir.resolve("state"),
            "listen.address=127.0.0.1:0",
            "operator.address=127.0.0.1:0",
            "metrics.listen=",
            "detection.starter_rules=false",
            "detection.rule_dirs=" + ruleDir));
  }

  @Test
  void aMissingRuleDirectoryStopsTheStartBeforeTheStoreIsCreated() throws Exception {
    Path missing = dir.resolve("sigma/rules/linux");
    RuleLoadException e =
        assertThrows(RuleLoadException.class, () -> Collector.start(config(missing), true));
    assertEquals(
        "detection.rule_dirs: rule directory " + missing + " does not exist", e.getMessage());
    assertFalse(Files.exists(dir.resolve("state/vigil.db")));
  }

  @Test
  void theLoadedRulesAreCountedInTheCollectorsMetrics() throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    TestRules.write(rules, "broken.yml", "detection: [\n");
    try (Collector c = Collector.start(config(rules), true)) {
      StringBuilder text = new StringBuilder();
      c.metrics().writeText(text);
      String shown = "\n" + text;
      assertEquals(1, c.metrics().value("vigil_collector_detection_rules_active"), shown);
      assertEquals(
          1, c.metrics().value("vigil_collector_detection_rule_files", "class", "skipped"), shown);
      assertEquals(
          "vigil_collector_detection_rule_files{class=\"runs\"} 1",
          text.toString()
              .lines()
              .filter(l -> l.startsWith("vigil_collector_detection_rule_files{class=\"runs\"}"))
              .findFirst()
              .orElse("(absent)"),
          shown);
    }
  }
}
