package io.vigil.detect.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.common.testing.TestData;
import io.vigil.detect.lint.LintVerdict.Kind;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The target on SigmaHQ's Linux rules: every process_creation, file_event,
 * network_connection rule and every auditd rule selecting EXECVE or PATH records runs or, at worst,
 * loads and names a field Vigil never fills; none is skipped.
 */
class SigmaHqLinuxLintTest {
  private static final Pattern EXECVE_OR_PATH =
      Pattern.compile("(?m)^\\s+type:\\s*'?(EXECVE|PATH)'?\\s*$");

  @Test
  void targetedLinuxRulesAreNeverSkipped() throws Exception {
    Path linux = TestData.require("sigma/rules/linux");
    LintReport report = RuleLint.lint(linux);
    List<String> skipped = new ArrayList<>();
    int targeted = 0;
    for (LintVerdict v : report.verdicts()) {
      if (targeted(v.file())) {
        targeted++;
        if (v.kind() == Kind.SKIPPED) {
          skipped.add(linux.relativize(v.file()) + ": " + v.detail());
        }
      }
    }
    System.out.println("SigmaHQ linux lint: " + report.countsByKind() + ", targeted " + targeted);
    assertEquals(List.of(), skipped);
    try (var files = Files.walk(linux)) {
      long yml = files.filter(p -> p.toString().endsWith(".yml")).count();
      assertEquals(yml, report.verdicts().size(), "every rule file has a verdict");
    }
  }

  private static boolean targeted(Path file) throws Exception {
    String text = Files.readString(file);
    var source = SigmaRuleLoader.load(file).logsource();
    String category = source.category() == null ? "" : source.category();
    if (List.of("process_creation", "file_event", "network_connection").contains(category)) {
      return true;
    }
    return "auditd".equals(source.service()) && EXECVE_OR_PATH.matcher(text).find();
  }
}
