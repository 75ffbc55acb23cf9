package io.vigil.detect.sigma.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldItem;
import io.vigil.detect.sigma.rule.SearchIdentifier.FieldSelection;
import io.vigil.detect.sigma.rule.SearchIdentifier.Keywords;
import io.vigil.detect.sigma.rule.SearchIdentifier.SelectionList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SigmaRuleLoaderTest {
  private static final String GOOD =
      """
      title: Base64 Decode
      id: e2072cab-8c9a-459b-b63c-40ae79e27031
      status: test
      description: Detects base64 decoding
      author: Someone
      date: 2022-09-15
      references:
          - https://example.org/a
      tags:
          - attack.t1027
      logsource:
          product: linux
          category: process_creation
      detection:
          selection:
              Image|endswith: '/base64'
              CommandLine|contains:
                  - ' -d'
                  - ' --decode'
          alternatives:
              - User: root
              - LogonId: 0
          keywords:
              - 'evil'
              - 42
          filter:
              ParentImage: null
          condition: selection and not filter
      falsepositives:
          - Legitimate use
      fields:
          - CommandLine
      level: medium
      custom_field: allowed by the specification
      """;

  @Test
  void loadsEveryPartOfAGoodRule() throws Exception {
    SigmaRule r = SigmaRuleLoader.load(GOOD, "good.yml");
    assertEquals("good.yml", r.origin());
    assertEquals("e2072cab-8c9a-459b-b63c-40ae79e27031", r.id());
    assertEquals("Base64 Decode", r.title());
    assertEquals("test", r.status());
    assertEquals("medium", r.level());
    assertEquals("Detects base64 decoding", r.description());
    assertEquals("Someone", r.author());
    assertEquals(List.of("https://example.org/a"), r.references());
    assertEquals(List.of("attack.t1027"), r.tags());
    assertEquals(new LogSource("linux", "process_creation", null), r.logsource());
    assertEquals(List.of("Legitimate use"), r.falsepositives());
    assertEquals(List.of("CommandLine"), r.fields());
    assertEquals(List.of("selection and not filter"), r.detection().conditions());
    assertEquals(
        List.of("selection", "alternatives", "keywords", "filter"),
        List.copyOf(r.detection().searches().keySet()));
    assertEquals(
        new FieldSelection(
            List.of(
                new FieldItem("Image|endswith", List.of("/base64")),
                new FieldItem("CommandLine|contains", List.of(" -d", " --decode")))),
        r.detection().searches().get("selection"));
    SelectionList alternatives =
        assertInstanceOf(SelectionList.class, r.detection().searches().get("alternatives"));
    assertEquals(
        List.of(0L), alternatives.alternatives().get(1).items().get(0).values(), "ints as Long");
    assertEquals(new Keywords(List.of("evil", 42L)), r.detection().searches().get("keywords"));
    FieldSelection filter = (FieldSelection) r.detection().searches().get("filter");
    assertEquals(Arrays.asList((Object) null), filter.items().get(0).values());
  }

  @Test
  void optionalPartsAreNullOrEmpty() throws Exception {
    SigmaRule r =
        SigmaRuleLoader.load(
            "title: t\nlogsource: {service: sshd}\ndetection: {k: [x], condition: k}\n", "o");
    assertNull(r.id());
    assertNull(r.level());
    assertEquals(List.of(), r.tags());
    assertEquals(new LogSource(null, null, "sshd"), r.logsource());
  }

  private static String rule(String top, String detection) {
    return "title: t\nlogsource:\n  product: linux\n" + top + "detection:\n" + detection.indent(2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "'logsource:\\n  product: linux\\ndetection: {s: [x], condition: s}\\n'; title",
        "'title: t\\ndetection: {s: [x], condition: s}\\n'; logsource",
        "'title: t\\nlogsource: linux\\ndetection: {s: [x], condition: s}\\n'; logsource",
        "'title: t\\nlogsource: {product: linux}\\n'; detection",
        "'title: [a, b]\\nlogsource: {product: linux}\\ndetection: {s: [x], condition: s}\\n'; title",
      })
  void structuralProblemsNameTheTopLevelKey(String yaml, String where) {
    SigmaRuleException e =
        assertThrows(
            SigmaRuleException.class, () -> SigmaRuleLoader.load(yaml.replace("\\n", "\n"), "o"));
    assertEquals(where, e.where(), e.getMessage());
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = ';',
      value = {
        "'level: severe\\n'; level; 'sel:\\n  A: x\\ncondition: sel\\n'",
        "'status: great\\n'; status; 'sel:\\n  A: x\\ncondition: sel\\n'",
        "'tags:\\n  - {a: b}\\n'; tags[0]; 'sel:\\n  A: x\\ncondition: sel\\n'",
        "''; detection.selection.Image|endswith; 'selection:\\n  Image|endswith: {a: b}\\n"
            + "condition: selection\\n'",
        "''; detection.selection.Image[1]; 'selection:\\n  Image:\\n    - a\\n    - [b]\\n"
            + "condition: selection\\n'",
        "''; detection.selection.Image; 'selection:\\n  Image: []\\ncondition: selection\\n'",
        "''; detection.sel[1]; 'sel:\\n  - A: x\\n  - plain\\ncondition: sel\\n'",
        "''; detection.sel; 'sel:\\ncondition: sel\\n'",
        "''; detection.sel; 'sel: {}\\ncondition: sel\\n'",
        "''; detection.condition; 'sel:\\n  A: x\\n'",
        "''; detection.condition; 'sel:\\n  A: x\\ncondition: {a: b}\\n'",
        "''; detection.condition[1]; 'sel:\\n  A: x\\ncondition:\\n  - sel\\n  - 5\\n'",
        "''; detection.timeframe; 'sel:\\n  A: x\\ntimeframe: 5m\\ncondition: sel\\n'",
        "''; detection; 'condition: sel\\n'",
        "''; detection.sel; 'sel:\\n  5: x\\ncondition: sel\\n'",
      })
  void eachBadKeyIsReportedWithItsPath(String top, String where, String detection) {
    String yaml = rule(top.replace("\\n", "\n"), detection.replace("\\n", "\n"));
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(yaml, "o"), yaml);
    assertEquals(where, e.where(), e.getMessage());
  }

  @Test
  void anAliasBombIsRefusedAtTheAliasLimit() {
    StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      bomb.append(("*" + p + ", ").repeat(9)).append('*').append(p).append("]\n");
    }
    bomb.append("title: t\n");
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(bomb.toString(), "o"));
    assertTrue(e.getMessage().contains("aliases"), e.getMessage());
  }

  @Test
  void textAboveTheCodePointLimitIsRefusedBeforeParsing() {
    String big = "title: '" + "x".repeat(SafeYaml.MAX_CODE_POINTS) + "'\n";
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(big, "o"));
    assertTrue(e.getMessage().contains("code points"), e.getMessage());
  }

  @Test
  void aFileAboveTheByteLimitIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("huge.yml");
    try (var ch =
        java.nio.channels.FileChannel.open(
            f,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#'}), 8L * SafeYaml.MAX_CODE_POINTS);
    }
    SigmaRuleException e = assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(f));
    assertTrue(e.getMessage().contains("byte limit"), e.getMessage());
  }

  @Test
  void invalidUtf8IsRefused(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yml");
    Files.write(f, new byte[] {'t', 'i', 't', 'l', 'e', ':', ' ', (byte) 0xC3, (byte) 0x28});
    SigmaRuleException e = assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(f));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void deepFlowNestingIsRefusedBeforeTheComposerRecurses() {
    String deep = "title: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(deep, "o"));
    assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
  }

  @Test
  void deepBlockNestingIsRefusedBeforeTheComposerRecurses() {
    // Indentation bounds block nesting only by the size limit: 1,300 levels fit in 1 MiB and
    // overflowed the composer's stack before the depth check.
    StringBuilder deep = new StringBuilder("title: t\ndetection:\n");
    for (int i = 1; i <= 1300; i++) {
      deep.append(" ".repeat(i)).append("a:\n");
    }
    deep.append(" ".repeat(1301)).append("b: 1\n");
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(deep.toString(), "o"));
    assertEquals("YAML collections nested deeper than 64 levels", e.getMessage());
  }

  @Test
  void nestingUpToTheLimitLoadsAndOneLevelMoreDoesNot() throws Exception {
    int lists = SafeYaml.MAX_DEPTH - 1; // inside the top-level map
    assertEquals(1, SafeYaml.loadAll("a: " + "[".repeat(lists) + "]".repeat(lists)).size());
    assertThrows(
        SigmaRuleException.class,
        () -> SafeYaml.loadAll("a: " + "[".repeat(lists + 1) + "]".repeat(lists + 1)));
  }

  @Test
  void aliasesThatExpandExponentiallyAreRefusedUnderTheAliasCountLimit() {
    // 24 levels of [*a, *a] use 48 aliases (under the count limit) and expand to 16 M leaves.
    StringBuilder bomb = new StringBuilder("l0: &a0 ['" + "x".repeat(1000) + "']\n");
    for (int i = 1; i < 24; i++) {
      bomb.append("l").append(i).append(": &a").append(i);
      bomb.append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
    }
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SafeYaml.loadAll(bomb.toString()));
    assertTrue(e.getMessage().startsWith("YAML aliases expand to more than"), e.getMessage());
  }

  @Test
  void honestAnchorReuseLoads() throws Exception {
    String text = "a: &s {x: '" + "y".repeat(1000) + "'}\nb: *s\nc: [*s, *s, *s]\n";
    assertEquals(1, SafeYaml.loadAll(text).size());
  }

  @Test
  void duplicateKeysAndCustomTagsAreRefused() {
    assertThrows(
        SigmaRuleException.class,
        () -> SigmaRuleLoader.load(rule("title: u\n", "s: [x]\ncondition: s\n"), "o"));
    SigmaRuleException tag =
        assertThrows(
            SigmaRuleException.class,
            () ->
                SigmaRuleLoader.load(rule("", "s: !!java.lang.Runtime [x]\ncondition: s\n"), "o"));
    assertTrue(tag.getMessage().contains("invalid YAML"), tag.getMessage());
  }

  @Test
  void correlationRulesLoadThroughLoadAllEachDocumentOnItsOwn() throws Exception {
    String single =
        "title: c\nname: c\ncorrelation:\n  type: event_count\n  rules: [a]\n"
            + "  group-by: [User]\n  timespan: 90m\n  condition: {gt: 2, lte: 4.5}\n";
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> SigmaRuleLoader.load(single, "o"));
    assertEquals("correlation", e.where());
    String multi =
        rule("name: a\n", "s: [x]\ncondition: s\n")
            + "---\n"
            + single
            + "---\ntitle: bad\ncorrelation:\n  type: event_sum\n  rules: [a]\n  timespan: 1h\n";
    List<SigmaDocument> docs = SigmaRuleLoader.loadAll(multi, "o");
    assertEquals(3, docs.size());
    assertEquals("a", docs.get(0).rule().name());
    SigmaCorrelation c = docs.get(1).correlation();
    assertEquals("event_count", c.type());
    assertEquals(List.of("a"), c.rules());
    assertEquals(List.of("User"), c.groupBy());
    assertEquals(java.time.Duration.ofMinutes(90), c.timespan());
    assertEquals(List.of("gt", "lte"), List.copyOf(c.condition().keySet()));
    assertEquals(4.5, c.condition().get("lte"));
    assertEquals(1, c.document());
    assertEquals("correlation.type", docs.get(2).error().where());
    assertEquals("document 3", docs.get(2).label());
  }

  @Test
  void malformedCorrelationsNameWhereTheyAreWrong() {
    String base = "title: c\ncorrelation:\n  type: %s\n  rules: [a]\n  timespan: %s\n%s";
    Map<String, String> cases =
        Map.of(
            "correlation.timespan", String.format(base, "temporal", "5x", ""),
            "correlation.condition", String.format(base, "event_count", "1h", ""),
            "correlation.condition.field",
                String.format(base, "value_count", "1h", "  condition: {gte: 3}\n"),
            "correlation.condition.gte",
                String.format(base, "event_count", "1h", "  condition: {gte: many}\n"),
            "correlation.condition.over",
                String.format(base, "event_count", "1h", "  condition: {over: 3}\n"),
            "correlation.rules", "title: c\ncorrelation:\n  type: temporal\n  timespan: 1h\n",
            "correlation.window", String.format(base, "temporal", "1h", "  window: 3\n"));
    cases.forEach(
        (where, text) -> {
          try {
            List<SigmaDocument> d = SigmaRuleLoader.loadAll(text, "o");
            assertEquals(where, d.get(0).error().where(), text);
          } catch (SigmaRuleException x) {
            throw new AssertionError(x);
          }
        });
  }

  @Test
  void filtersCollectionsAndOtherMultiDocumentFilesAreReportedAsUnsupported() {
    SigmaRuleException filter =
        assertThrows(
            SigmaRuleException.class,
            () ->
                SigmaRuleLoader.load(
                    "title: f\nlogsource: {product: linux}\nfilter:\n  rules: [a]\n"
                        + "  selection: {User: x}\n  condition: selection\n",
                    "o"));
    assertEquals("filter", filter.where());
    SigmaRuleException action =
        assertThrows(
            SigmaRuleException.class,
            () -> SigmaRuleLoader.load("action: global\ntitle: g\n", "o"));
    assertEquals("action", action.where());
    assertEquals("filter: a Sigma filter; load it from detection.filter_dirs", filter.getMessage());
    String two = rule("", "s: [x]\ncondition: s\n");
    SigmaRuleException multi =
        assertThrows(
            SigmaRuleException.class, () -> SigmaRuleLoader.load(two + "---\n" + two, "o"));
    assertTrue(multi.getMessage().contains("multi-document"), multi.getMessage());
  }
}
