package io.vigil.detect.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.common.testing.TestData;
import io.vigil.detect.lint.LintVerdict.Kind;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Lint of SigmaHQ's network rules (the generic dns and firewall categories, Zeek, and the network
 * devices'), pinned per class and per directory so that a change in what Vigil serves shows up
 * here. The report's lines (every rule that does not plainly run) are printed for the record.
 * Before Zeek services were mapped, every Zeek rule was skipped (7 runs, 1 unfilled, 45 skipped).
 */
class SigmaHqNetworkLintTest {

  @Test
  void networkRulesLintToPinnedCounts() throws Exception {
    Path network = TestData.require("sigma/rules/network");
    LintReport report = RuleLint.lint(network);
    report.print(System.out, network);

    Map<String, Map<Kind, Integer>> byDir = new TreeMap<>();
    for (LintVerdict v : report.verdicts()) {
      String dir = network.relativize(v.file()).getName(0).toString();
      byDir.computeIfAbsent(dir, d -> new TreeMap<>()).merge(v.kind(), 1, Integer::sum);
    }
    System.out.println("by directory: " + byDir);

    assertEquals(
        Map.of(Kind.RUNS, 11, Kind.UNFILLED_FIELDS, 5, Kind.SKIPPED, 37), report.countsByKind());
    assertEquals(
        Map.of(
            "cisco", Map.of(Kind.SKIPPED, 15),
            "dns", Map.of(Kind.RUNS, 7),
            "firewall", Map.of(Kind.UNFILLED_FIELDS, 1),
            "fortinet", Map.of(Kind.SKIPPED, 7),
            "huawei", Map.of(Kind.SKIPPED, 1),
            "juniper", Map.of(Kind.SKIPPED, 1),
            // dns, http: run or can still fire; dce_rpc, smb_files, kerberos, rdp, x509: skipped.
            "zeek", Map.of(Kind.RUNS, 4, Kind.UNFILLED_FIELDS, 4, Kind.SKIPPED, 13)),
        byDir);
    long zeekCanFire =
        report.verdicts().stream()
            .filter(v -> v.file().startsWith(network.resolve("zeek")))
            .filter(v -> v.kind() == Kind.UNFILLED_FIELDS && v.canStillFire())
            .count();
    assertEquals(4, zeekCanFire, "zeek rules naming an unfilled field that can still fire");
  }
}
