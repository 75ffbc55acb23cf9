package io.vigil.detect.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationOptions;
import io.vigil.detect.correlation.CorrelationRule;
import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.LintVerdict.Kind;
import io.vigil.detect.lint.RuleLint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rule directories holding correlation rules, as the catalog and lint see them. */
class CorrelationCatalogTest {
  @TempDir Path dir;

  private static String base(String id, String name, String image) {
    return "title: "
        + name
        + "\nid: "
        + id
        + "\nname: "
        + name
        + "\nlogsource: {product: linux, category: process_creation}\n"
        + "detection:\n  sel:\n    Image|endswith: "
        + image
        + "\n  condition: sel\n";
  }

  private static String correlation(String id, String name, String body) {
    return "title: corr "
        + id
        + "\nid: "
        + id
        + (name == null ? "" : "\nname: " + name)
        + "\nlevel: high\ncorrelation:\n"
        + body;
  }

  private Path write(String name, String... docs) throws Exception {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("---\n", docs));
    return f;
  }

  @Test
  void correlationsResolveAcrossFilesAndSayWhyTheyAreInactiveWhenNot() throws Exception {
    Path multi =
        write(
            "mr_multi.yml",
            correlation(
                "c-1",
                "whoami_then_id",
                "  type: temporal_ordered\n  rules: [whoami_run, id_run]\n  group-by: [User]\n"
                    + "  timespan: 1m\n"),
            base("r-whoami", "whoami_run", "/whoami"),
            base("r-id", "id_run", "/id"));
    Path other = write("base/uname.yml", base("r-uname", "uname_run", "/uname"));
    Path cross =
        write(
            "mr_cross.yml",
            correlation(
                    "c-2",
                    null,
                    "  type: event_count\n  rules: [uname_run, r-whoami]\n  group-by: [User]\n"
                        + "  timespan: 1m\n  condition: {gte: 2}\n")
                + "generate: true\n");
    Path chain =
        write(
            "mr_chain.yml",
            correlation(
                "c-3",
                null,
                "  type: event_count\n  rules: [whoami_then_id]\n  group-by: [User]\n"
                    + "  timespan: 1h\n  condition: {gte: 2}\n"));
    Path missing =
        write(
            "mr_missing.yml",
            correlation(
                "c-4",
                null,
                "  type: temporal\n  rules: [whoami_run, nowhere]\n  group-by: [User]\n"
                    + "  timespan: 1m\n"));
    Path field =
        write(
            "mr_field.yml",
            correlation(
                "c-5",
                null,
                "  type: event_count\n  rules: [id_run]\n  group-by: [TargetUserName]\n"
                    + "  timespan: 1m\n  condition: {gte: 2}\n"),
            correlation(
                "c-6",
                null,
                "  type: value_count\n  rules: [whoami_then_id]\n  group-by: [User]\n"
                    + "  timespan: 1h\n  condition: {field: Image, gte: 2}\n"));
    Path loop =
        write(
            "mr_loop.yml",
            correlation(
                "c-7",
                "loop_a",
                "  type: event_count\n  rules: [loop_b]\n  timespan: 1m\n  condition: {gte: 2}\n"),
            correlation(
                "c-8",
                "loop_b",
                "  type: event_count\n  rules: [loop_a]\n  timespan: 1m\n  condition: {gte: 2}\n"));
    Path filter =
        write(
            "filter.yml",
            "title: f\nlogsource: {product: linux}\nfilter:\n  rules: [r-id]\n"
                + "  selection: {User: root}\n  condition: selection\n");

    RuleCatalog c = RuleCatalog.load(List.of(dir));

    assertEquals(3, c.entries(multi).size());
    assertEquals(
        List.of("c-3", "c-2", "c-1"),
        c.correlations().stream().map(CorrelationRule::ruleId).toList());
    assertEquals(
        List.of("r-uname", "r-whoami", "r-id"), c.active().stream().map(ActiveRule::id).toList());
    assertTrue(c.activeRule(multi).isPresent(), "the first detection rule of the file");
    CatalogEntry first = c.entries(multi).get(0);
    assertTrue(first.correlation());
    assertTrue(first.active());
    assertEquals(Kind.RUNS, first.verdict().kind());
    assertEquals("c-1", first.ruleId());
    assertTrue(
        first.describe().contains("document 1 (temporal_ordered correlation)"), first.describe());
    assertTrue(c.entries(multi).get(2).describe().contains("feeds correlations only"));

    // Standalone: id_run only feeds c-1; whoami_run feeds c-1 and c-2, and c-2 says generate.
    assertFalse(c.standalone("r-id"));
    assertTrue(c.standalone("r-whoami"));
    assertTrue(c.standalone("r-uname"), "only c-2 refers to it, with generate: true");
    assertTrue(c.standalone("c-2"));
    assertFalse(c.standalone("c-1"), "c-1 only feeds the chain c-3");
    assertTrue(c.standalone("c-3"));

    CatalogEntry cross1 = c.entry(cross).orElseThrow();
    assertTrue(cross1.active());
    CatalogEntry m = c.entry(missing).orElseThrow();
    assertFalse(m.active());
    assertEquals("correlation: unresolved reference", m.verdict().reasonGroup());
    assertTrue(m.describe().contains("'nowhere'"), m.describe());
    List<CatalogEntry> fields = c.entries(field);
    assertEquals("correlation: invalid field", fields.get(0).verdict().reasonGroup());
    assertTrue(fields.get(0).describe().contains("TargetUserName"), fields.get(0).describe());
    assertEquals("correlation: invalid field", fields.get(1).verdict().reasonGroup());
    assertTrue(fields.get(1).describe().contains("not a group-by field"), fields.get(1).describe());
    for (CatalogEntry e : c.entries(loop)) {
      assertFalse(e.active());
      assertTrue(e.verdict().reasonGroup().startsWith("correlation: "), e.describe());
    }
    CatalogEntry f = c.entry(filter).orElseThrow();
    assertFalse(f.active());
    assertEquals(
        "a Sigma filter; load it from detection.filter_dirs",
        f.verdict().reasonGroup().replace("filter: ", ""));
    assertTrue(c.entry(chain).orElseThrow().active());
    assertTrue(c.entry(other).orElseThrow().active());
    assertEquals(
        "8 rule files: 4 active; runs 6, unfilled fields 0, skipped 6; correlations 3 active of 8",
        c.summary());

    CorrelationEngine e = c.correlationEngine(CorrelationOptions.defaults());
    assertEquals(3, e.ruleCount());
    assertTrue(e.feeds("r-id") && e.feeds("r-whoami") && e.feeds("r-uname") && e.feeds("c-1"));

    // Lint says the same, one line per rule that is not plain.
    LintReport report = RuleLint.lint(dir);
    assertEquals(c.entries().size(), report.verdicts().size());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(
        printed.contains("mr_multi.yml document 1 (temporal_ordered correlation): runs"), printed);
    assertTrue(
        printed.contains("mr_missing.yml (temporal correlation): skipped: unresolved reference"),
        printed);
    assertTrue(printed.contains("of which correlations: 8 (3 run)"), printed);
  }

  @Test
  void rulesWithoutIdsInOneFileAreKnownByNameOrPlace() throws Exception {
    String noId =
        "title: t\nlogsource: {product: linux, category: process_creation}\n"
            + "detection:\n  sel:\n    Image|endswith: /id\n  condition: sel\n";
    Path f =
        write(
            "mr_noid.yml",
            "title: c\ncorrelation:\n  type: value_count\n  rules: [named]\n"
                + "  group-by: [User]\n  timespan: 1m\n  condition: {field: Image, gte: 3}\n",
            "name: named\n" + noId,
            noId);
    RuleCatalog c = RuleCatalog.load(List.of(dir));
    assertEquals(List.of("named", f + "#3"), c.active().stream().map(ActiveRule::id).toList());
    assertEquals(
        List.of(f + "#1"), c.correlations().stream().map(CorrelationRule::ruleId).toList());
    assertFalse(c.standalone("named"));
    assertTrue(c.standalone(f + "#3"));
  }

  @Test
  void aggregatesReadWellForPeople() {
    assertEquals("33.3333", CorrelationEngine.shown(100.0 / 3));
    assertEquals("1000001", CorrelationEngine.shown(1000001));
    assertEquals("0.5", CorrelationEngine.shown(0.5));
  }

  @Test
  void aReferenceToARuleThatDidNotLoadSaysWhy() throws Exception {
    write(
        "win.yml",
        "title: w\nname: win_logon\nlogsource: {product: windows, service: security}\n"
            + "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n");
    Path corr =
        write(
            "mr_win.yml",
            correlation(
                "c-w",
                null,
                "  type: event_count\n  rules: [win_logon]\n  timespan: 1m\n"
                    + "  condition: {gte: 5}\n"));
    RuleCatalog c = RuleCatalog.load(List.of(dir));
    CatalogEntry e = c.entry(corr).orElseThrow();
    assertFalse(e.active());
    assertEquals("correlation: unresolved reference", e.verdict().reasonGroup());
    assertTrue(
        e.describe().contains("'win_logon' is not active (product windows: Vigil has no telemetry"),
        e.describe());
  }

  @Test
  void aliasesMustNameReferencedRulesAndMapToFieldsTheyFill() throws Exception {
    write("base.yml", base("r-a", "rule_a", "/a"), base("r-b", "rule_b", "/b"));
    Path good =
        write(
            "mr_good.yml",
            correlation(
                "c-good",
                null,
                "  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [who]\n"
                    + "  timespan: 1m\n  aliases:\n    who: {rule_a: User, rule_b: ParentUser}\n"));
    Path stray =
        write(
            "mr_stray.yml",
            correlation(
                "c-stray",
                null,
                "  type: temporal\n  rules: [rule_a, rule_b]\n  group-by: [who]\n"
                    + "  timespan: 1m\n  aliases:\n    who: {rule_a: User, rule_c: User}\n"));
    RuleCatalog c = RuleCatalog.load(List.of(dir));
    assertTrue(c.entry(good).orElseThrow().active(), c.entry(good).orElseThrow().describe());
    CatalogEntry e = c.entry(stray).orElseThrow();
    assertEquals("correlation: invalid field", e.verdict().reasonGroup());
    assertTrue(e.describe().contains("'rule_c'"), e.describe());
    // The alias picks each rule's own field: rule_b's input is read from ParentUser.
    CorrelationEngine engine = c.correlationEngine(CorrelationOptions.defaults());
    Finding b =
        c.engine().evaluate(TestEvents.exec("alice", "/usr/bin/b", "b")).stream()
            .filter(f -> f.ruleId().equals("r-b"))
            .findFirst()
            .orElseThrow();
    // The event has no parent, so nothing of it; asked for ParentUser, not User.
    assertEquals(Map.of(), engine.fieldsFor(b, Map.of("User", "y")));
    assertEquals(Map.of("ParentUser", "x"), engine.fieldsFor(b, Map.of("ParentUser", "x")));
  }
}
