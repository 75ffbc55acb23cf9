package io.vigil.detect.sigma.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SigmaHQ's rules for a Linux sensor, unmodified, compile end to end (loader, condition, every
 * value modifier) — and a compiled rule matches an event made from its own text and not an
 * unrelated one.
 */
class SigmaHqRulesCompileTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sigma/rules/linux", "sigma/rules/network", "sigma/rules/web"})
  void everyRuleCompiles(String folder) throws Exception {
    Path root = TestData.require(folder);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
    SigmaItemCompiler items = new SigmaItemCompiler();
    List<String> failures = new ArrayList<>();
    for (Path f : files) {
      try {
        RuleCompiler.compile(SigmaRuleLoader.load(f), items);
      } catch (SigmaRuleException e) {
        failures.add(root.relativize(f) + ": " + e.getMessage());
      }
    }
    assertFalse(files.isEmpty(), "no rules under " + root);
    assertTrue(
        failures.isEmpty(),
        failures.size() + " of " + files.size() + " rules failed:\n" + String.join("\n", failures));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sigma/rules/linux"})
  void aCompiledRuleMatchesItsOwnIndicatorAndNotAnUnrelatedCommand(String folder) throws Exception {
    // base64 decoding through a shell pipeline: a rule the end-to-end test of issue 4 will use.
    Path rule =
        TestData.require(folder).resolve("process_creation/proc_creation_lnx_base64_decode.yml");
    CompiledRule r = RuleCompiler.compile(SigmaRuleLoader.load(rule), new SigmaItemCompiler());

    assertTrue(
        r.matches(
            new MapFields(
                Map.of("Image", "/usr/bin/base64", "CommandLine", "base64 -d /tmp/payload.b64"))),
        "the rule's own indicator");
    assertFalse(
        r.matches(new MapFields(Map.of("Image", "/usr/bin/ls", "CommandLine", "ls -la /tmp"))),
        "an unrelated command");
    assertEquals("Decode Base64 Encoded Text", r.rule().title());
  }
}
