package io.vigil.detect.engine;

import static io.vigil.detect.engine.RuleDirs.PROCESS;
import static io.vigil.detect.engine.RuleDirs.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.lint.LintVerdict.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleCatalogTest {
  private static final String BASE64 =
      "  sel:\n    Image|endswith: /base64\n    CommandLine|contains: ' -d'\n  condition: sel\n";

  @TempDir Path dir;

  private static CatalogEntry entry(RuleCatalog c, Path file) {
    return c.entry(file).orElseThrow(() -> new AssertionError("no entry for " + file));
  }

  @Test
  void everyFileGetsAnEntryAndOnlyRulesThatCanFireAreActive() throws Exception {
    Path runs = rule(dir, "runs.yml", "r-1", PROCESS, BASE64);
    Path partly =
        rule(
            dir,
            "partly.yml",
            "r-2",
            PROCESS,
            "  a:\n    OriginalFileName: x\n  b:\n    Image: /bin/x\n  condition: a or b\n");
    Path never =
        rule(
            dir,
            "never.yml",
            "r-3",
            "  product: linux\n  category: network_connection\n",
            "  sel:\n    DestinationPortName: https\n  condition: sel\n");
    Path windows =
        rule(
            dir,
            "windows.yml",
            "r-4",
            "  product: windows\n  category: registry_set\n",
            "  sel:\n    TargetObject: x\n  condition: sel\n");
    Files.writeString(dir.resolve("README.md"), "not a rule");
    Files.writeString(dir.resolve("runs.test.yml"), "- name: not a rule either\n");

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    assertEquals(4, c.entries().size(), c.entries().toString());
    assertTrue(entry(c, runs).active());
    assertTrue(entry(c, partly).active(), "can still fire through branch b");
    assertEquals(Kind.UNFILLED_FIELDS, entry(c, partly).verdict().kind());
    CatalogEntry neverEntry = entry(c, never);
    assertFalse(neverEntry.active());
    assertEquals("not loaded", neverEntry.note());
    assertTrue(neverEntry.describe().contains("cannot fire on Vigil"), neverEntry.describe());
    assertFalse(entry(c, windows).active());
    assertEquals(Kind.SKIPPED, entry(c, windows).verdict().kind());

    assertEquals(List.of("r-2", "r-1"), c.active().stream().map(ActiveRule::id).toList());
    assertTrue(c.activeRule(runs).isPresent());
    assertTrue(c.activeRule(never).isEmpty());
    assertEquals(2, c.engine().ruleCount());
    assertEquals(Map.of(Kind.RUNS, 1, Kind.UNFILLED_FIELDS, 2, Kind.SKIPPED, 1), c.countsByKind());
    assertEquals("4 rule files: 2 active; runs 1, unfilled fields 2, skipped 1", c.summary());
    assertEquals(
        List.of(never, partly, windows), c.notable().stream().map(CatalogEntry::file).toList());
  }

  @Test
  void aRuleThatWouldRunWiderThanWrittenIsNotLoaded() throws Exception {
    // The filter's second alternative names a field Vigil never fills: "not filter" would let
    // through what that alternative excludes, exactly as a wholly unfillable filter would.
    Path partlyDead =
        rule(
            dir,
            "partly-dead.yml",
            "w-1",
            PROCESS,
            "  sel:\n    Image|endswith: /base64\n  filter:\n    - User: root\n"
                + "    - OriginalFileName: base64\n  condition: sel and not filter\n");
    Path whole =
        rule(
            dir,
            "whole.yml",
            "w-2",
            PROCESS,
            "  sel:\n    Image|endswith: /base64\n  filter:\n    Company: Acme\n"
                + "  condition: sel and not filter\n");

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    for (Path p : List.of(partlyDead, whole)) {
      CatalogEntry e = entry(c, p);
      assertTrue(e.verdict().widened(), e.describe());
      assertFalse(e.active(), e.describe());
      assertEquals("not loaded", e.note());
      assertTrue(e.describe().contains("more widely than written"), e.describe());
    }
    assertEquals(List.of(), c.active());
  }

  @Test
  void aDuplicateIdLoadsTheFirstFileOnlyAndNamesIt() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path first = rule(a, "one.yml", "same-id", PROCESS, BASE64);
    Path second = rule(b, "two.yml", "same-id", PROCESS, BASE64);
    Path other = rule(b, "three.yml", "other-id", PROCESS, BASE64);

    RuleCatalog c = RuleCatalog.load(List.of(a, b));

    assertTrue(entry(c, first).active());
    CatalogEntry dup = entry(c, second);
    assertFalse(dup.active());
    assertEquals(Kind.RUNS, dup.verdict().kind(), "the rule itself is fine");
    assertEquals("not loaded: rule id same-id already loaded from " + first, dup.note());
    assertTrue(entry(c, other).active());
    assertEquals(
        List.of(first.toString(), other.toString()),
        c.active().stream().map(r -> r.compiled().rule().origin()).toList());
  }

  @Test
  void aRuleWithoutIdIsKnownByItsFile() throws Exception {
    Path file = rule(dir, "anonymous.yml", null, PROCESS, BASE64);
    RuleCatalog c = RuleCatalog.load(List.of(dir));
    assertEquals(file.toString(), c.activeRule(file).orElseThrow().id());
  }

  @Test
  void brokenAndUnreadableFilesAreSkippedWithTheirReasonAndTheRestLoads() throws Exception {
    Path good = rule(dir, "good.yml", "g", PROCESS, BASE64);
    Path yaml = dir.resolve("bad-yaml.yml");
    Files.writeString(yaml, "title: t\ndetection: [unclosed\n");
    Path utf8 = dir.resolve("bad-utf8.yml");
    Files.write(utf8, new byte[] {'t', 'i', 't', 'l', 'e', ':', ' ', (byte) 0xC3, (byte) 0x28});
    Path condition =
        rule(
            dir, "bad-condition.yml", "c", PROCESS, "  sel:\n    Image: x\n  condition: sel and\n");
    // Reading /proc/self/mem at offset 0 fails with EIO, for root too: an unreadable rule file.
    Path unreadable =
        Files.createSymbolicLink(dir.resolve("unreadable.yml"), Path.of("/proc/self/mem"));

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    assertTrue(entry(c, good).active());
    for (Path bad : List.of(yaml, utf8, condition)) {
      CatalogEntry e = entry(c, bad);
      assertFalse(e.active(), bad.toString());
      assertEquals(Kind.SKIPPED, e.verdict().kind(), bad.toString());
      assertTrue(e.describe().contains("does not load or compile"), e.describe());
    }
    assertTrue(entry(c, utf8).describe().contains("not valid UTF-8"));
    CatalogEntry io = entry(c, unreadable);
    assertFalse(io.active());
    assertEquals("cannot read", io.verdict().reasonGroup());
    assertTrue(io.describe().contains("Input/output error"), io.describe());
    assertEquals(List.of("g"), c.active().stream().map(ActiveRule::id).toList());
  }

  @Test
  void yamlBombsInARuleDirectoryAreSkippedAndCountedAndTheOtherRulesLoad() throws Exception {
    Path good = rule(dir, "good.yml", "g", PROCESS, BASE64);
    StringBuilder laughs =
        new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char p = (char) (c - 1);
      laughs.append(c).append(": &").append(c).append(" [");
      laughs.append(("*" + p + ", ").repeat(8)).append('*').append(p).append("]\n");
    }
    Path billion = dir.resolve("billion-laughs.yml");
    Files.writeString(billion, laughs + "title: t\n");
    Path deep = dir.resolve("deep.yml");
    Files.writeString(deep, "title: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n");
    Path huge = dir.resolve("huge.yml");
    Files.writeString(huge, "title: '" + "x".repeat(3 << 20) + "'\n");

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    assertEquals(List.of("g"), c.active().stream().map(ActiveRule::id).toList());
    assertTrue(entry(c, good).active());
    for (Path bad : List.of(billion, deep, huge)) {
      CatalogEntry e = entry(c, bad);
      assertFalse(e.active(), bad.toString());
      assertEquals(Kind.SKIPPED, e.verdict().kind(), bad.toString());
    }
    assertTrue(entry(c, billion).describe().contains("aliases"), entry(c, billion).describe());
    assertTrue(entry(c, deep).describe().contains("nested deeper"), entry(c, deep).describe());
    assertTrue(entry(c, huge).describe().contains("code points"), entry(c, huge).describe());
    assertTrue(c.summary().contains("skipped 3"), c.summary());
  }

  @Test
  void aDirectoryThatCannotBeWalkedIsAnError() {
    assertThrows(IOException.class, () -> RuleCatalog.load(List.of(dir.resolve("missing"))));
  }

  @Test
  void theEntryForAFileNotInTheCatalogIsEmpty() throws Exception {
    RuleCatalog c = RuleCatalog.load(List.of(dir));
    assertTrue(c.entry(dir.resolve("nothing.yml")).isEmpty());
    assertTrue(c.activeRule(dir.resolve("nothing.yml")).isEmpty());
    assertEquals("0 rule files: 0 active; runs 0, unfilled fields 0, skipped 0", c.summary());
  }
}
