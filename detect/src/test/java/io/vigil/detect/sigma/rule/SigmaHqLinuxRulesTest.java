package io.vigil.detect.sigma.rule;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.condition.ConditionParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** SigmaHQ's Linux rules, unmodified: every one must load and have a parsable condition. */
class SigmaHqLinuxRulesTest {

  @Test
  void everySigmaHqLinuxRuleLoadsAndItsConditionParses() throws Exception {
    Path root = TestData.require("sigma/rules/linux");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    List<String> failures = new ArrayList<>();
    for (Path f : files) {
      try {
        ConditionParser.parse(SigmaRuleLoader.load(f).detection());
      } catch (SigmaRuleException e) {
        failures.add(root.relativize(f) + ": " + e.getMessage());
      }
    }
    assertTrue(files.size() > 100, "expected SigmaHQ's Linux rules under " + root);
    assertTrue(
        failures.isEmpty(),
        failures.size() + " of " + files.size() + " rules failed:\n" + String.join("\n", failures));
    System.out.println("SigmaHQ linux: " + files.size() + " rules loaded, conditions parsed");
  }
}
