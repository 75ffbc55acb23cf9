package io.vigil.detect.correlation;

import static io.vigil.detect.correlation.Correlations.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.correlation.Correlations.Feed;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.sigma.rule.SigmaDocument;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Order, lateness, bounds and rebuilding of the correlation engine. */
class CorrelationEngineTest {
  private static final long S = 1_000_000_000L;

  private static List<SigmaDocument> docs(String yaml) throws Exception {
    return SigmaRuleLoader.loadAll(yaml, "test.yml");
  }

  /** Three correlations over rules a, b, c, one of them a chain over another. */
  private static final String RULES =
      "title: burst\nname: burst\ncorrelation:\n  type: event_count\n  rules: [a, b]\n"
          + "  group-by: [User]\n  timespan: 1m\n  condition: {gte: 3}\n"
          + "---\ntitle: images\ncorrelation:\n  type: value_count\n  rules: [a, c]\n"
          + "  group-by: [User]\n  timespan: 2m\n  condition: {field: Image, gte: 3}\n"
          + "---\ntitle: burst then c\ncorrelation:\n  type: temporal_ordered\n"
          + "  rules: [burst, c]\n  group-by: [User]\n  timespan: 3m\n"
          + "---\ntitle: rare\ncorrelation:\n  type: value_percentile\n  rules: [a, b, c]\n"
          + "  timespan: 5m\n  condition: {field: Image, lte: 10}\n";

  private static CorrelationEngine engine(CorrelationOptions o) throws Exception {
    return Correlations.engine(o, docs(RULES));
  }

  private static CorrelationOptions lateness(int seconds) {
    return new CorrelationOptions(Duration.ofSeconds(seconds), 100_000, 10_000);
  }

  /** A random sequence of one source, in event-time order, times in whole milliseconds. */
  private static List<CorrelationInput> sequence(Random r, int n, String source) {
    List<CorrelationInput> out = new ArrayList<>();
    long t = 1_000 * S;
    String[] rules = {"a", "b", "c"};
    for (int i = 0; i < n; i++) {
      t += r.nextInt(8_000) * 1_000_000L;
      out.add(
          new CorrelationInput(
              rules[r.nextInt(3)],
              source,
              t,
              1,
              i,
              java.util.Map.of(
                  "User", "u" + r.nextInt(4), "Image", "/bin/x" + r.nextInt(r.nextInt(30) + 1))));
    }
    return out;
  }

  @Test
  void theSameInputsInAnyOrderWithinTheLatenessGiveTheSameFindings() throws Exception {
    Random r = new Random(42);
    List<CorrelationInput> inOrder = sequence(r, 3000, "agent-1");
    List<CorrelationFinding> expected = run(engine(lateness(30)), inOrder);
    assertTrue(expected.size() > 50, "the sequence must make findings: " + expected.size());
    assertTrue(expected.stream().anyMatch(f -> f.type().equals("temporal_ordered")));
    for (int round = 0; round < 5; round++) {
      // Each input arrives up to 30 s (the lateness) after its event time, so arrival order is a
      // shuffle within the lateness.
      List<long[]> arrival = new ArrayList<>();
      for (int i = 0; i < inOrder.size(); i++) {
        arrival.add(new long[] {inOrder.get(i).eventTimeNs() + r.nextInt(30_000) * 1_000_000L, i});
      }
      arrival.sort(Comparator.comparingLong((long[] a) -> a[0]).thenComparingLong(a -> a[1]));
      CorrelationEngine e = engine(lateness(30));
      List<CorrelationFinding> got = new ArrayList<>();
      boolean reordered = false;
      for (int k = 0; k < arrival.size(); k++) {
        int i = (int) arrival.get(k)[1];
        reordered |= i != k;
        got.addAll(e.offer(inOrder.get(i)));
      }
      got.addAll(e.flush());
      assertTrue(reordered);
      assertEquals(0, e.stats().lateDropped());
      assertEquals(expected, got, "round " + round);
    }
  }

  @Test
  void inputsOfSeveralSourcesInterleavedGiveTheSameFindingsPerSource() throws Exception {
    Random r = new Random(7);
    List<CorrelationInput> one = sequence(r, 500, "agent-1");
    // The same events from a second agent, different users so the groups stay apart.
    List<CorrelationInput> two = new ArrayList<>();
    for (CorrelationInput in : sequence(r, 500, "agent-2")) {
      two.add(
          new CorrelationInput(
              in.ruleId(),
              in.source(),
              in.eventTimeNs() + 400 * S,
              2,
              in.seq(),
              java.util.Map.of("User", "v" + in.fields().get("User"), "Image", "/i")));
    }
    // Without the global percentile rule, which mixes the sources by design.
    String perUser = RULES.substring(0, RULES.indexOf("---\ntitle: rare"));
    List<CorrelationFinding> a = run(Correlations.engine(lateness(30), docs(perUser)), one);
    List<CorrelationFinding> b = run(Correlations.engine(lateness(30), docs(perUser)), two);
    List<CorrelationInput> mixed = new ArrayList<>(one);
    mixed.addAll(two);
    java.util.Collections.shuffle(mixed, r);
    mixed.sort(Comparator.comparing(CorrelationInput::source).reversed()); // agent-2 first
    List<CorrelationFinding> both = run(Correlations.engine(lateness(3600), docs(perUser)), mixed);
    assertEquals(a, both.stream().filter(f -> f.anchor().source().equals("agent-1")).toList());
    assertEquals(b, both.stream().filter(f -> f.anchor().source().equals("agent-2")).toList());
  }

  @Test
  void anInputOlderThanItsSourcesWatermarkIsDroppedAndCounted() throws Exception {
    List<SigmaDocument> d =
        docs(
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
                + "  timespan: 1m\n  condition: {gte: 2}\n");
    CorrelationEngine e = Correlations.engine(lateness(10), d);
    Feed f = new Feed("agent-1").add("a", 100, "User", "bob");
    assertEquals(List.of(), e.offer(f.inputs.get(0)));
    assertEquals(1, e.stats().bufferedInputs());
    // Another source's time does not move this one's watermark.
    assertEquals(List.of(), e.observe("agent-2", 10_000 * S));
    assertEquals(1, e.stats().bufferedInputs());
    // A source's events advance its watermark before its first input: that input is late.
    e.offer(new Feed("agent-2").add("a", 9_000, "User", "bob").inputs.get(0));
    assertEquals(1, e.stats().lateDropped());
    assertEquals(1, e.stats().bufferedInputs());
    assertEquals(List.of(), e.observe("agent-1", 130 * S));
    assertEquals(0, e.stats().bufferedInputs());
    // 5 s before the first, but 25 s behind the watermark (130 - 10 s): late.
    Feed late = new Feed("agent-1").add("a", 95, "User", "bob");
    assertEquals(List.of(), e.offer(late.inputs.get(0)));
    assertEquals(2, e.stats().lateDropped());
    // Within the lateness: accepted, and the pair fires.
    Feed ok = new Feed("agent-1").add("a", 121, "User", "bob");
    e.offer(ok.inputs.get(0));
    List<CorrelationFinding> fired = e.observe("agent-1", 200 * S);
    assertEquals(1, fired.size());
    assertEquals(2, e.stats().lateDropped());
    // An input of a rule no correlation refers to is ignored outright.
    assertFalse(e.feeds("zzz"));
    assertEquals(List.of(), e.offer(new CorrelationInput("zzz", "agent-1", 0, 1, 0, null)));
    assertEquals(2, e.stats().lateDropped());
  }

  @Test
  void theRisingEdgeFiresOncePerBurstAndAgainAfterTheConditionStoppedHolding() throws Exception {
    List<SigmaDocument> d =
        docs(
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
                + "  timespan: 10s\n  condition: {gte: 2}\n");
    Feed f = new Feed("s");
    for (double t : new double[] {0, 1, 2, 3, 30, 31, 45, 54, 56}) {
      f.add("a", t, "User", "bob");
    }
    List<CorrelationFinding> got = run(Correlations.engine(lateness(0), d), f.inputs);
    // Holds at 1, 2, 3 (one finding), not at 30, holds at 31 (a second), not at 45, holds at 54
    // (45 is within 10 s), and at 56 too (still holding: no finding).
    assertEquals(
        List.of(1 * S, 31 * S, 54 * S), got.stream().map(x -> x.anchor().eventTimeNs()).toList());
  }

  @Test
  void groupsAreCappedAndEvictionsCountedEvenForAMillionDistinctGroups() throws Exception {
    List<SigmaDocument> d =
        docs(
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
                + "  timespan: 1h\n  condition: {gte: 2}\n");
    CorrelationEngine e = Correlations.engine(new CorrelationOptions(Duration.ZERO, 1000, 10), d);
    java.util.Map<String, String> fields = new java.util.HashMap<>();
    for (int i = 0; i < 1_000_000; i++) {
      fields.put("User", "user-" + i);
      e.offer(new CorrelationInput("a", "s", i * 1_000_000L, 1, i, fields));
      if (i % 100_000 == 0) {
        assertTrue(e.stats().openGroups() <= 1000);
      }
    }
    e.flush();
    CorrelationStats s = e.stats();
    assertEquals(1000, s.openGroups());
    assertEquals(1000, s.heldInputs());
    assertEquals(1_000_000 - 1000, s.evictedGroups());
    assertEquals(0, s.bufferedInputs());
    // The most recent group is still open: a second input for it fires.
    fields.put("User", "user-999999");
    e.offer(new CorrelationInput("a", "s", 1_000_000 * 1_000_000L, 1, 1, fields));
    assertEquals(1, e.flush().size());
  }

  @Test
  void aGroupHoldsAtMostMaxInputsPerGroupAndCountsWhatItEvicts() throws Exception {
    List<SigmaDocument> d =
        docs(
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
                + "  timespan: 1h\n  condition: {gte: 20}\n");
    CorrelationEngine e = Correlations.engine(new CorrelationOptions(Duration.ZERO, 10, 10), d);
    Feed f = new Feed("s");
    for (int i = 0; i < 100; i++) {
      f.add("a", i, "User", "bob");
    }
    // The cap bounds the count too: 20 can never be reached with 10 held (documented).
    assertEquals(List.of(), run(e, f.inputs));
    assertEquals(10, e.stats().heldInputs());
    assertEquals(90, e.stats().evictedInputs());
  }

  @Test
  void inputsLeaveTheWindowAndIdleGroupsExpire() throws Exception {
    List<SigmaDocument> d =
        docs(
            "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
                + "  timespan: 1m\n  condition: {gte: 100}\n");
    CorrelationEngine e = Correlations.engine(lateness(0), d);
    Feed f = new Feed("s");
    for (int i = 0; i < 10_000; i++) {
      f.add("a", i, "User", "u" + (i % 50));
    }
    run(e, f.inputs);
    // 50 users, one input each per 50 s: at most two inputs of each in any minute.
    assertTrue(e.stats().heldInputs() <= 100, e.stats().toString());
    Feed idle = new Feed("s").add("a", 20_000, "User", "other");
    run(e, idle.inputs);
    assertTrue(e.stats().openGroups() <= 35, "idle groups expire: " + e.stats());
  }

  @Test
  void aFreshEngineFedTheLastHorizonContinuesExactlyAsTheOneThatSawEverything() throws Exception {
    Random r = new Random(20261128);
    for (int round = 0; round < 4; round++) {
      List<CorrelationInput> inOrder = sequence(r, 4000, "agent-1");
      // Arrival jittered within the lateness, as the agents deliver.
      List<CorrelationInput> arrival = new ArrayList<>(inOrder);
      long[] at = new long[inOrder.size()];
      for (int i = 0; i < at.length; i++) {
        at[i] = inOrder.get(i).eventTimeNs() + r.nextInt(20_000) * 1_000_000L;
      }
      Integer[] idx = new Integer[at.length];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = i;
      }
      java.util.Arrays.sort(idx, Comparator.comparingLong(i -> at[i]));
      for (int i = 0; i < idx.length; i++) {
        arrival.set(i, inOrder.get(idx[i]));
      }
      CorrelationEngine all = engine(lateness(30));
      int cut = 1000 + r.nextInt(2000);
      long maxSeen = Long.MIN_VALUE;
      for (int i = 0; i < cut; i++) {
        all.offer(arrival.get(i));
        maxSeen = Math.max(maxSeen, arrival.get(i).eventTimeNs());
      }
      // What the collector stores and re-offers: every input after maxSeen - horizon, in the
      // order it was stored (arrival order).
      CorrelationEngine fresh = engine(lateness(30));
      long from = maxSeen - fresh.horizonNs();
      int reoffered = 0;
      for (int i = 0; i < cut; i++) {
        if (arrival.get(i).eventTimeNs() >= from) {
          fresh.offer(arrival.get(i));
          reoffered++;
        }
      }
      assertTrue(reoffered < cut, "the horizon must leave something out to test anything");
      List<CorrelationFinding> a = new ArrayList<>();
      List<CorrelationFinding> b = new ArrayList<>();
      for (int i = cut; i < arrival.size(); i++) {
        a.addAll(all.offer(arrival.get(i)));
        b.addAll(fresh.offer(arrival.get(i)));
      }
      a.addAll(all.flush());
      b.addAll(fresh.flush());
      assertTrue(a.size() > 20, "findings after the cut: " + a.size());
      assertEquals(a, b, "round " + round + ", cut " + cut);
    }
  }

  @Test
  void theHorizonIsTwiceTheTimespanSummedAlongChainsPlusTheLateness() throws Exception {
    // burst (1m) under "burst then c" (3m): 2 * 4m; images 2 * 2m; rare 2 * 5m = 10m, the most.
    assertEquals(
        Duration.ofMinutes(10).plusSeconds(30).toNanos(), engine(lateness(30)).horizonNs());
    SigmaCorrelation only = Correlations.correlations(docs(RULES)).get(2);
    assertEquals("temporal_ordered", only.type());
    assertEquals(4, engine(lateness(30)).ruleCount());
  }
}
