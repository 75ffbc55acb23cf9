package io.vigil.detect.correlation;

import static io.vigil.detect.correlation.Correlations.engine;
import static io.vigil.detect.correlation.Correlations.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.correlation.Correlations.Feed;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.sigma.rule.SigmaDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every correlation of the specification's test folder and the specification's own examples, loaded
 * as written, each fed a sequence that fires and near misses that do not.
 */
class SpecExamplesTest {
  private static final CorrelationOptions OPTIONS =
      new CorrelationOptions(Duration.ofSeconds(60), 1000, 10_000);
  private static final String FIREWALL = "5638f7c0-ac70-491d-8465-2a65075e0d86";

  private static SigmaCorrelation spec(String file) throws Exception {
    Path dir = TestData.require("sigma-spec/tests/schema/correlation");
    return Correlations.only(Correlations.file(dir.resolve(file)));
  }

  private static List<CorrelationFinding> fire(SigmaCorrelation c, Feed feed) {
    return run(engine(OPTIONS, c), feed.inputs);
  }

  @Test
  void everyFileOfTheSpecificationsTestFolderIsCovered() throws Exception {
    Path dir = TestData.require("sigma-spec/tests/schema/correlation");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of(
              "event_count.yml",
              "event_count_ecs.yml",
              "temporal.yml",
              "temporal_ordered.yml",
              "value_avg.yml",
              "value_count.yml",
              "value_percentile.yml",
              "value_sum.yml"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "a new file in the folder needs a case here");
    }
  }

  @Test
  void eventCountFiresAtTheHundredthFailureOnOneHostWithinTheHour() throws Exception {
    for (String file : List.of("event_count.yml", "event_count_ecs.yml")) {
      SigmaCorrelation c = spec(file);
      String field = c.groupBy().get(0);
      Feed hit = new Feed("a");
      for (int i = 0; i < 100; i++) {
        hit.add(FIREWALL, i * 30, field, "db1");
      }
      hit.add(FIREWALL, 3001, field, "db1"); // still holds: no second finding
      List<CorrelationFinding> f = fire(c, hit);
      assertEquals(1, f.size(), file);
      assertEquals(Map.of(field, "db1"), f.get(0).group());
      assertEquals(99 * 30L * 1_000_000_000L, f.get(0).anchor().eventTimeNs());
      assertEquals("event_count 100 >= 100 within 1h", f.get(0).aggregate());
      assertEquals(99, f.get(0).members().size());
      assertEquals("0e95725d-7320-415d-80f7-004da920fc11", f.get(0).ruleId());

      Feed short1 = new Feed("a");
      Feed slow = new Feed("a");
      Feed split = new Feed("a");
      for (int i = 0; i < 100; i++) {
        if (i < 99) {
          short1.add(FIREWALL, i * 30, field, "db1");
        }
        slow.add(FIREWALL, i * 37, field, "db1"); // 100 events over 61 minutes
        split.add(FIREWALL, i * 30, field, i % 2 == 0 ? "db1" : "db2");
      }
      assertEquals(List.of(), fire(c, short1), file + ": one event short");
      assertEquals(List.of(), fire(c, slow), file + ": outside the timespan");
      assertEquals(List.of(), fire(c, split), file + ": two groups");
    }
  }

  @Test
  void valueCountCountsDistinctUsersPerSourceAndDestination() throws Exception {
    SigmaCorrelation c = spec("value_count.yml");
    Feed hit = new Feed("a");
    Feed near = new Feed("a");
    for (int i = 0; i < 100; i++) {
      hit.add(FIREWALL, i, "ComputerName", "dc1", "WorkstationName", "ws7", "User", "u" + i);
      near.add(
          FIREWALL, i, "ComputerName", "dc1", "WorkstationName", "ws7", "User", "u" + (i % 99));
    }
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals(Map.of("ComputerName", "dc1", "WorkstationName", "ws7"), f.get(0).group());
    assertEquals("value_count 100 >= 100 within 1d", f.get(0).aggregate());
    assertEquals(List.of(), fire(c, near), "99 distinct users, one repeated");
    // An input without the counted field is skipped and counted, not counted as a value.
    CorrelationEngine e = engine(OPTIONS, c);
    run(e, new Feed("a").add(FIREWALL, 1, "ComputerName", "dc1", "WorkstationName", "w").inputs);
    assertEquals(1, e.stats().missingFields());
  }

  @Test
  void temporalNeedsAllThreeRulesInAnyOrderOnOneHostByOneUser() throws Exception {
    SigmaCorrelation c = spec("temporal.yml");
    String[] g = {"ComputerName", "web1", "User", "bob"};
    Feed hit = new Feed("a").add("recon_cmd_c", 0, g).add("recon_cmd_a", 60, g);
    hit.add("recon_cmd_b", 299, g);
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals("temporal 3/3 rules within 5m", f.get(0).aggregate());
    assertEquals("recon_cmd_b", f.get(0).anchor().ruleId());
    assertEquals(0, f.get(0).firstTimeNs());

    Feed late = new Feed("a").add("recon_cmd_c", 0, g).add("recon_cmd_a", 60, g);
    late.add("recon_cmd_b", 300, g); // c left the window (t - 5m, t]
    assertEquals(List.of(), fire(c, late), "outside the timespan");
    Feed two = new Feed("a").add("recon_cmd_c", 0, g).add("recon_cmd_a", 60, g);
    two.add("recon_cmd_a", 70, g);
    assertEquals(List.of(), fire(c, two), "one rule missing");
    Feed other = new Feed("a").add("recon_cmd_c", 0, g).add("recon_cmd_a", 60, g);
    other.add("recon_cmd_b", 70, "ComputerName", "web1", "User", "alice");
    assertEquals(List.of(), fire(c, other), "a different user");
  }

  @Test
  void temporalOrderedNeedsTheRulesInTheirOrder() throws Exception {
    SigmaCorrelation c = spec("temporal_ordered.yml");
    String[] g = {"ComputerName", "web1", "User", "bob"};
    Feed hit = new Feed("a").add("recon_cmd_a", 0, g).add("recon_cmd_c", 10, g);
    hit.add("recon_cmd_b", 20, g).add("recon_cmd_c", 30, g);
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals(30_000_000_000L, f.get(0).anchor().eventTimeNs());
    assertEquals("temporal_ordered 3/3 rules in order within 5m", f.get(0).aggregate());
    Feed wrong = new Feed("a").add("recon_cmd_c", 0, g).add("recon_cmd_a", 10, g);
    wrong.add("recon_cmd_b", 20, g);
    assertEquals(List.of(), fire(c, wrong), "wrong order");
  }

  @Test
  void valueSumAddsBytesPerSourceAndUserWithinTheHour() throws Exception {
    SigmaCorrelation c = spec("value_sum.yml");
    String[] g = {"SourceIP", "10.0.0.9", "User", "bob"};
    Feed hit = new Feed("a").add("website_access", 0, with(g, "bytes_sent", "600000"));
    hit.add("website_access", 10, with(g, "bytes_sent", "x")); // ignored, counted
    hit.add("website_access", 20, with(g, "bytes_sent", "400001"));
    CorrelationEngine e = engine(OPTIONS, c);
    List<CorrelationFinding> f = run(e, hit.inputs);
    assertEquals(1, f.size());
    assertEquals("value_sum 1000001 > 1000000 within 1h", f.get(0).aggregate());
    assertEquals(1, e.stats().nonNumeric());
    Feed below = new Feed("a").add("website_access", 0, with(g, "bytes_sent", "600000"));
    below.add("website_access", 20, with(g, "bytes_sent", "400000"));
    assertEquals(List.of(), fire(c, below), "value at the threshold, not above");
    Feed apart = new Feed("a").add("website_access", 0, with(g, "bytes_sent", "600000"));
    apart.add("website_access", 3600, with(g, "bytes_sent", "400001"));
    assertEquals(List.of(), fire(c, apart), "outside the timespan");
  }

  @Test
  void valueAvgComparesTheMeanWithTheThreshold() throws Exception {
    SigmaCorrelation c = spec("value_avg.yml");
    String[] g = {"SourceIP", "10.0.0.9", "User", "bob"};
    Feed hit = new Feed("a").add("rule_a_id", 0, with(g, "BytesOut", "400"));
    hit.add("rule_a_id", 10, with(g, "BytesOut", "700.5"));
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals("value_avg 550.25 > 500 within 24h", f.get(0).aggregate());
    Feed at = new Feed("a").add("rule_a_id", 0, with(g, "BytesOut", "400"));
    at.add("rule_a_id", 10, with(g, "BytesOut", "600"));
    assertEquals(List.of(), fire(c, at), "average 500 is not above 500");
  }

  @Test
  void valuePercentileFiresOnAnImageSeenInAtMostOnePercentOfTheHostsProcesses() throws Exception {
    SigmaCorrelation c = spec("value_percentile.yml");
    Feed hit = new Feed("a");
    Feed near = new Feed("a");
    for (int i = 0; i < 99; i++) {
      hit.add("process_creation", i, "ComputerName", "web1", "Image", "/usr/bin/bash");
      if (i < 49) {
        near.add("process_creation", i, "ComputerName", "web1", "Image", "/usr/bin/bash");
      }
    }
    hit.add("process_creation", 100, "ComputerName", "web1", "Image", "/tmp/.x/kworker");
    near.add("process_creation", 100, "ComputerName", "web1", "Image", "/tmp/.x/kworker");
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals("/tmp/.x/kworker", f.get(0).anchor().fields().get("Image"));
    assertEquals("value_percentile 1% <= 1 within 24h", f.get(0).aggregate());
    assertEquals(List.of(), fire(c, near), "2% of 50 processes is above 1%");
  }

  @Test
  void aliasesGroupDifferentFieldsOfDifferentRulesTogether() throws Exception {
    List<SigmaDocument> docs = Correlations.resource("spec_aliases.yml");
    // The specification's two rules are fragments (no title, no logsource): they do not load.
    assertNotNull(docs.get(0).error());
    assertNotNull(docs.get(1).error());
    SigmaCorrelation c = Correlations.only(docs);
    assertEquals("—", c.id());
    Feed hit = new Feed("a");
    hit.add("internal_error", 0, "destination.ip", "10.1.1.1", "source.ip", "203.0.113.5");
    hit.add("new_network_connection", 9, "source.ip", "10.1.1.1", "destination.ip", "203.0.113.5");
    List<CorrelationFinding> f = fire(c, hit);
    assertEquals(1, f.size());
    assertEquals(List.of("internal_ip", "remote_ip"), List.copyOf(f.get(0).group().keySet()));
    assertEquals(Map.of("internal_ip", "10.1.1.1", "remote_ip", "203.0.113.5"), f.get(0).group());
    Feed swapped = new Feed("a");
    swapped.add("internal_error", 0, "destination.ip", "10.1.1.1", "source.ip", "203.0.113.5");
    swapped.add(
        "new_network_connection", 9, "source.ip", "203.0.113.5", "destination.ip", "10.1.1.1");
    assertEquals(List.of(), fire(c, swapped), "the addresses in the other roles");
    Feed late = new Feed("a");
    late.add("internal_error", 0, "destination.ip", "10.1.1.1", "source.ip", "203.0.113.5");
    late.add(
        "new_network_connection", 10, "source.ip", "10.1.1.1", "destination.ip", "203.0.113.5");
    assertEquals(List.of(), fire(c, late), "10 s apart: outside (t - 10s, t]");
  }

  @Test
  void failedLoginsFollowedBySuccessChainTwoCorrelations() throws Exception {
    List<SigmaDocument> docs = Correlations.resource("spec_failed_logins.yml");
    assertEquals(4, docs.size());
    assertTrue(docs.stream().allMatch(d -> d.error() == null));
    CorrelationEngine e = engine(OPTIONS, docs);
    String failed = "53ba33fd-3a50-4468-a5ef-c583635cfa92";
    String success = "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8";
    assertTrue(e.feeds(failed));
    assertTrue(e.feeds(success));
    assertFalse(e.feeds("b180ead8-d58f-40b2-ae54-c8940995b9b6"), "nothing refers to the outer");
    // 2 * 10m for the outer, 2 * 10m for the inner below it, plus the lateness.
    assertEquals(Duration.ofMinutes(41).toNanos(), e.horizonNs());

    Feed hit = new Feed("a");
    for (int i = 0; i < 10; i++) {
      hit.add(failed, i * 20, "User", "bob");
    }
    hit.add(success, 300, "User", "bob");
    List<CorrelationFinding> f = run(e, hit.inputs);
    assertEquals(2, f.size(), f.toString());
    CorrelationFinding inner = f.get(0);
    assertEquals("a8418a5a-5fc4-46b5-b23b-6c73beb19d41", inner.ruleId());
    assertFalse(inner.standalone(), "feeds the outer correlation only");
    assertNull(inner.level());
    CorrelationFinding outer = f.get(1);
    assertEquals("b180ead8-d58f-40b2-ae54-c8940995b9b6", outer.ruleId());
    assertTrue(outer.standalone());
    assertEquals("high", outer.level());
    assertEquals(Map.of("User", "bob"), outer.group());
    assertEquals(success, outer.anchor().ruleId());
    assertEquals(inner.ruleId(), outer.members().get(0).ruleId());

    Feed nine = new Feed("a");
    for (int i = 0; i < 9; i++) {
      nine.add(failed, i * 20, "User", "bob");
    }
    nine.add(success, 300, "User", "bob");
    assertEquals(List.of(), run(engine(OPTIONS, docs), nine.inputs), "one failure short");
    Feed first = new Feed("a").add(success, 0, "User", "bob");
    for (int i = 0; i < 10; i++) {
      first.add(failed, 10 + i * 20, "User", "bob");
    }
    List<CorrelationFinding> onlyInner = run(engine(OPTIONS, docs), first.inputs);
    assertEquals(1, onlyInner.size(), "success before the failures: only the inner fires");
    assertFalse(onlyInner.get(0).standalone());
  }

  private static String[] with(String[] group, String k, String v) {
    String[] out = java.util.Arrays.copyOf(group, group.length + 2);
    out[group.length] = k;
    out[group.length + 1] = v;
    return out;
  }
}
