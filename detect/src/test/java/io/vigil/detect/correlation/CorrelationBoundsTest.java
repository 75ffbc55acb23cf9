package io.vigil.detect.correlation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.correlation.Correlations.Feed;
import io.vigil.detect.sigma.rule.SigmaDocument;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Several agents in one group, expiry behind long-lived groups, and the global bounds. */
class CorrelationBoundsTest {
  private static final long S = 1_000_000_000L;

  private static List<SigmaDocument> docs(String yaml) throws Exception {
    return SigmaRuleLoader.loadAll(yaml, "test.yml");
  }

  private static CorrelationInput input(String rule, String source, double seconds, String user) {
    return new CorrelationInput(rule, source, (long) (seconds * S), 1, 0, Map.of("User", user));
  }

  /** Offers the inputs of one agent, then advances it to {@code until} so they are released. */
  private static List<CorrelationFinding> agent(
      CorrelationEngine e, String source, double until, double... seconds) {
    List<CorrelationFinding> out = new ArrayList<>();
    Feed f = new Feed(source);
    for (double t : seconds) {
      f.add("a", t);
    }
    for (CorrelationInput in : f.inputs) {
      out.addAll(e.offer(in));
    }
    out.addAll(e.observe(source, (long) (until * S)));
    return out;
  }

  private static final String NO_GROUP =
      "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n"
          + "  timespan: 10m\n  condition: {gte: 3}\n";

  @Test
  void anAgentReleasedBehindAnotherInTheSameGroupDoesNotMakeItFireTwice() throws Exception {
    CorrelationOptions o = new CorrelationOptions(Duration.ofSeconds(60), 1000, 10_000);
    // A first: fires at 1020; B's older input is released after it and lands before it.
    CorrelationEngine e = Correlations.engine(o, docs(NO_GROUP));
    List<CorrelationFinding> got = new ArrayList<>();
    got.addAll(agent(e, "A", 1100, 1000, 1010, 1020));
    assertEquals(1, got.size());
    got.addAll(agent(e, "B", 1100, 990));
    got.addAll(agent(e, "A", 1300, 1150));
    // The condition held throughout (5 inputs within 10 minutes at 1150): one finding.
    assertEquals(1, got.size(), got.toString());
    assertEquals(1020 * S, got.get(0).anchor().eventTimeNs());
    assertEquals(5, e.stats().heldInputs());

    // B first: the same inputs, released in the other order, also give exactly one finding.
    e = Correlations.engine(o, docs(NO_GROUP));
    got = new ArrayList<>();
    got.addAll(agent(e, "B", 1100, 990));
    got.addAll(agent(e, "A", 1100, 1000, 1010, 1020));
    got.addAll(agent(e, "A", 1300, 1150));
    assertEquals(1, got.size(), got.toString());
  }

  @Test
  void aLateReleasedInputCountsTowardLaterEvaluationsButDoesNotFireByItself() throws Exception {
    CorrelationOptions o = new CorrelationOptions(Duration.ofSeconds(60), 1000, 10_000);
    CorrelationEngine e = Correlations.engine(o, docs(NO_GROUP));
    List<CorrelationFinding> got = new ArrayList<>();
    got.addAll(agent(e, "A", 1100, 1000, 1010));
    // B's 1005 makes three inputs in the window, but it lands mid-group: no finding by itself.
    got.addAll(agent(e, "B", 1100, 1005));
    assertEquals(List.of(), got);
    assertEquals(3, e.stats().heldInputs());
    // It counts at A's next input: 1000, 1005, 1010, 1200 within 10 minutes.
    got.addAll(agent(e, "A", 1300, 1200));
    assertEquals(1, got.size());
    assertEquals(1200 * S, got.get(0).anchor().eventTimeNs());
    assertEquals(4, got.get(0).members().size() + 1);
  }

  private static final String LONG_AND_SHORT =
      "title: day\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
          + "  timespan: 24h\n  condition: {gte: 2}\n"
          + "---\ntitle: minute\ncorrelation:\n  type: event_count\n  rules: [b]\n"
          + "  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n";

  /**
   * Long-lived groups at the head of the expiry order must not stop the short ones behind them from
   * expiring, nor be evicted by the cap while expired groups remain.
   */
  private static void longLivedGroupsSurvive(int longLived) throws Exception {
    CorrelationOptions o = new CorrelationOptions(Duration.ofSeconds(60), 1000, 10_000);
    CorrelationEngine e = Correlations.engine(o, docs(LONG_AND_SHORT));
    long seq = 0;
    List<CorrelationFinding> got = new ArrayList<>();
    for (int i = 0; i < longLived; i++) {
      got.addAll(
          e.offer(new CorrelationInput("a", "s", i * S / 100, 1, seq++, Map.of("User", "d" + i))));
    }
    // One new short-lived group per second for two hours.
    for (int i = 0; i < 7200; i++) {
      got.addAll(
          e.offer(new CorrelationInput("b", "s", (10 + i) * S, 1, seq++, Map.of("User", "m" + i))));
      assertTrue(e.stats().openGroups() <= 1000);
    }
    assertEquals(List.of(), got);
    assertEquals(0, e.stats().evictedGroups(), e.stats().toString());
    // The first day-long group's second input, two hours later, fires.
    got.addAll(e.offer(new CorrelationInput("a", "s", 7300 * S, 1, seq++, Map.of("User", "d0"))));
    got.addAll(e.flush());
    assertEquals(1, got.size(), e.stats().toString());
    assertEquals(Map.of("User", "d0"), got.get(0).group());
  }

  @Test
  void expiryLooksPastLongLivedGroups() throws Exception {
    longLivedGroupsSurvive(16);
  }

  @Test
  void atTheCapExpiredGroupsAreSweptBeforeALiveOneIsEvicted() throws Exception {
    // More long-lived groups than expiry looks at per input: only the sweep at the cap finds the
    // expired ones behind them.
    longLivedGroupsSurvive(300);
  }

  @Test
  void isLateAgreesWithWhatOfferDrops() throws Exception {
    String rules =
        "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
            + "  timespan: 1m\n  condition: {gte: 3}\n";
    java.util.Random r = new java.util.Random(5);
    CorrelationEngine e =
        Correlations.engine(new CorrelationOptions(Duration.ofSeconds(20), 1000, 100), docs(rules));
    long[] clock = new long[4];
    int late = 0;
    int kept = 0;
    for (int i = 0; i < 20_000; i++) {
      int src = r.nextInt(clock.length);
      String source = "agent-" + src;
      clock[src] += r.nextInt(2_000) * 1_000_000L;
      // Up to 40 s behind its agent's clock: about half within the 20 s lateness.
      long t = clock[src] - r.nextInt(40_000) * 1_000_000L;
      if (r.nextInt(10) == 0) {
        e.observe(source, clock[src]);
        continue;
      }
      boolean predicted = e.isLate(source, t);
      long before = e.stats().lateDropped();
      e.offer(new CorrelationInput("a", source, t, src, i, Map.of("User", "u" + r.nextInt(3))));
      boolean dropped = e.stats().lateDropped() == before + 1;
      assertEquals(predicted, dropped, "input " + i);
      if (predicted) {
        late++;
      } else {
        kept++;
      }
    }
    assertTrue(late > 1000 && kept > 1000, late + " late, " + kept + " kept");
    // Exactly at the watermark is not late; one nanosecond before it is.
    e.observe("agent-9", 100 * S);
    assertEquals(false, e.isLate("agent-9", 80 * S));
    assertEquals(true, e.isLate("agent-9", 80 * S - 1));
    // A source never seen has nothing late, and asking does not create it.
    assertEquals(false, e.isLate("nobody", Long.MIN_VALUE));
  }

  @Test
  void heldAndBufferedInputsStayWithinMaxHeldInputs() throws Exception {
    String rules =
        "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
            + "  timespan: 1h\n  condition: {gte: 2}\n";
    CorrelationEngine e =
        Correlations.engine(new CorrelationOptions(Duration.ZERO, 1000, 100, 50), docs(rules));
    List<CorrelationFinding> got = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      got.addAll(e.offer(input("a", "s", i, "u" + i)));
      CorrelationStats st = e.stats();
      assertTrue(st.heldInputs() + st.bufferedInputs() <= 50, st.toString());
    }
    assertEquals(List.of(), got);
    CorrelationStats st = e.stats();
    assertTrue(st.openGroups() <= 50 && st.openGroups() >= 48, st.toString());
    assertEquals(200 - st.openGroups() - st.bufferedInputs(), st.evictedGroups(), st.toString());
    // The most recently touched groups are kept, the oldest evicted.
    got.addAll(e.offer(input("a", "s", 300, "u197")));
    got.addAll(e.offer(input("a", "s", 301, "u0")));
    got.addAll(e.flush());
    assertEquals(1, got.size(), got.toString());
    assertEquals(Map.of("User", "u197"), got.get(0).group());
    assertEquals(50, new CorrelationOptions(Duration.ZERO, 1, 1, 50).maxHeldInputs());
    assertEquals(
        CorrelationOptions.DEFAULT_MAX_HELD_INPUTS,
        new CorrelationOptions(Duration.ZERO, 1, 1).maxHeldInputs());
    assertEquals(1_000_000, CorrelationOptions.defaults().maxHeldInputs());
  }

  @Test
  void atTheSourceCapIdleSourcesAreRemovedAndCounted() throws Exception {
    String rules =
        "title: t\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n"
            + "  timespan: 1m\n  condition: {gte: 2}\n";
    CorrelationEngine e =
        Correlations.engine(new CorrelationOptions(Duration.ofSeconds(60), 1000, 100), docs(rules));
    // horizon: 2 * 1m + 60 s
    assertEquals(180 * S, e.horizonNs());
    for (int i = 0; i < CorrelationEngine.MAX_SOURCES; i++) {
      e.observe("s" + i, i * 1_000_000L);
    }
    // s1 has an input waiting in its buffer: not idle, whatever its time.
    e.offer(input("a", "s1", 0.5, "bob"));
    // s0 moves on and releases an input at 10 000 s: every other source is far behind it.
    e.offer(input("a", "s0", 10_000, "alice"));
    e.observe("s0", 10_100 * S);
    assertEquals(0, e.stats().bufferDropped());
    assertEquals(0, e.stats().evictedSources());
    // A new source at the cap: the idle ones are removed to make room, and it is taken.
    e.offer(input("a", "new", 10_050, "carol"));
    CorrelationStats st = e.stats();
    assertEquals(0, st.bufferDropped(), st.toString());
    assertEquals(CorrelationEngine.MAX_SOURCES - 2, st.evictedSources(), st.toString());
    assertEquals(2, st.bufferedInputs(), st.toString());
    // A removed source starts afresh: its old watermark is forgotten.
    assertEquals(false, e.isLate("s5", 0));
    // The kept sources still work: s1's input is released and s0's group goes on.
    e.offer(input("a", "s0", 10_050, "alice"));
    List<CorrelationFinding> got = e.flush();
    assertEquals(1, got.size(), got.toString());
    assertEquals(Map.of("User", "alice"), got.get(0).group());
    assertEquals(0, e.stats().bufferedInputs());
  }
}
