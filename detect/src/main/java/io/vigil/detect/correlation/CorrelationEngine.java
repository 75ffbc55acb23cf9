package io.vigil.detect.correlation;

import io.vigil.detect.engine.ActiveRule;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates correlation rules over the findings of the rules they refer to.
 *
 * <p>Order: inputs are buffered per source (agent) and released in (event time, stream, sequence)
 * order once the source's watermark (its newest event time seen, by {@link #offer} or {@link
 * #observe}, minus the lateness) has passed them; an input older than the watermark on arrival is
 * late, dropped and counted. So the same inputs delivered in any order within the lateness give the
 * same findings. Inputs of different sources in one group are combined in release order; a
 * late-released input from another source (one that lands before the group's newest input, because
 * its agent lags or drains a backlog) counts toward later evaluations but does not fire by itself.
 *
 * <p>Windows: at each released input of a group, the aggregate is computed over the group's inputs
 * with time in {@code (t - timespan, t]}; the correlation fires on the rising edge, when the
 * condition holds at this input and did not at the group's previous input within the timespan. So
 * the state that matters at time t depends only on inputs after {@code t - 2 * timespan}, and a
 * fresh engine offered the inputs of the last {@link #horizonNs} rebuilds it exactly (bounds
 * permitting). A firing is at once an input of the correlations that refer to it, its fields the
 * group values.
 *
 * <p>Aggregates over the window: event_count, the inputs; value_count, distinct values (tuples for
 * a list of fields); value_sum and value_avg, of the numeric values (numbers or numeric text;
 * others left out and counted); value_percentile, the share in percent of window inputs whose value
 * equals the current input's; temporal, the distinct referenced rules present (without a condition
 * all must be); temporal_ordered, how many referenced rules occur in the listed order (without a
 * condition all must). Conditions are ANDed. An input lacking a group-by or counted field is
 * skipped for that correlation and counted. Each evaluation walks the window, so its cost grows
 * with {@code maxInputsPerGroup}.
 *
 * <p>Bounds: at most {@code maxGroups} open groups and {@code maxHeldInputs} inputs held in groups
 * and buffers together (at either bound, expired groups are swept first, then the least recently
 * touched live ones evicted), {@code maxInputsPerGroup} inputs per group (oldest evicted), {@value
 * #MAX_BUFFERED_PER_SOURCE} buffered inputs per source and {@value #MAX_SOURCES} sources (at the
 * cap, sources with nothing buffered whose newest time is more than {@link #horizonNs} behind the
 * newest released input are removed); everything lost is counted in {@link #stats}.
 *
 * <p>Threads: one thread drives the engine (everything but {@link #stats}, which any thread may
 * call at any time: it reads volatile counters).
 */
public final class CorrelationEngine {
  /** Fields the collector supplies from the host when an event lacks them. */
  public static final Set<String> HOST_FIELDS =
      Set.of("ComputerName", "Hostname", "host.name", "agent_id");

  /** Members a finding lists besides its anchor. */
  public static final int MAX_MEMBERS = 100;

  /** Characters kept of a field value. */
  public static final int MAX_VALUE_CHARS = 1024;

  static final int MAX_BUFFERED_PER_SOURCE = 100_000;
  static final int MAX_SOURCES = 65_536;

  /**
   * Groups looked at per release, least recently touched first, expired or not: so expiry stays
   * cheap and a few long-lived groups at the head do not hide the expired ones behind them.
   */
  private static final int EXPIRY_SCAN = 64;

  private final List<Plan> plans;
  private final Map<String, List<Plan>> consumers;
  private final Map<String, ActiveRule> bases;
  private final CorrelationOptions options;
  private final long latenessNs;
  private final long horizonNs;
  private final Map<String, Source> sources = new HashMap<>();
  private final LinkedHashMap<GroupKey, Group> groups = new LinkedHashMap<>(16, 0.75f, true);

  // Counters read by stats(): volatile so another thread reads current values. Only the one
  // thread driving the engine writes them, so their increments need no lock.
  private volatile int openGroups;
  private volatile long heldInputs;
  private volatile long bufferedInputs;
  private volatile long lateDropped;
  private volatile long evictedGroups;
  private volatile long evictedInputs;
  private volatile long bufferDropped;
  private volatile long missingFields;
  private volatile long nonNumeric;
  private volatile long findings;
  private volatile long evictedSources;
  private long releasedMaxNs = Long.MIN_VALUE;

  /** Groups still to be created before the map is swept for expired groups again at the cap. */
  private long groupSweepWait;

  /** Sources still to be refused before the sources are swept for idle ones again at the cap. */
  private long sourceSweepWait;

  private CorrelationEngine(
      List<CorrelationRule> rules, Map<String, ActiveRule> bases, CorrelationOptions options) {
    this.options = options;
    this.latenessNs = options.lateness().toNanos();
    this.bases = Map.copyOf(bases);
    List<Plan> list = new ArrayList<>();
    Map<String, List<Plan>> byInput = new HashMap<>();
    for (CorrelationRule r : rules) {
      Plan p = new Plan(list.size(), r);
      list.add(p);
      for (CorrelationRule.Reference ref : r.references()) {
        byInput.computeIfAbsent(ref.ruleId(), k -> new ArrayList<>()).add(p);
      }
    }
    this.plans = List.copyOf(list);
    this.consumers = Map.copyOf(byInput);
    Map<String, Plan> byId = new HashMap<>();
    plans.forEach(p -> byId.put(p.rule.ruleId(), p));
    long max = 0;
    for (Plan p : plans) {
      max = Math.max(max, chainNs(p, byId, 0));
    }
    this.horizonNs = max + latenessNs;
  }

  /**
   * An engine over {@code rules} (resolved, see {@link CorrelationResolver}); {@code bases} maps
   * the id of each detection rule they refer to onto that rule (for {@link #fieldsFor}).
   */
  public static CorrelationEngine of(
      List<CorrelationRule> rules, Map<String, ActiveRule> bases, CorrelationOptions options) {
    return new CorrelationEngine(rules, bases, options);
  }

  /** Twice the timespan of {@code p} plus that of the longest chain below it. */
  private static long chainNs(Plan p, Map<String, Plan> byId, int depth) {
    long below = 0;
    if (depth < 64) {
      for (CorrelationRule.Reference ref : p.rule.references()) {
        Plan inner = ref.correlation() ? byId.get(ref.ruleId()) : null;
        if (inner != null) {
          below = Math.max(below, chainNs(inner, byId, depth + 1));
        }
      }
    }
    return 2 * p.spanNs + below;
  }

  /** Whether findings of the rule {@code ruleId} are inputs of some correlation. */
  public boolean feeds(String ruleId) {
    return consumers.containsKey(ruleId);
  }

  /**
   * The values {@code f}'s event holds for every field the correlations over {@code f.ruleId()}
   * need (group-by after aliases, condition fields), read through that rule's log-source views; a
   * field the event lacks is taken from {@code hostFields} when present there. Values are rendered
   * as text (integral numbers without a fraction) and cut at {@value #MAX_VALUE_CHARS} characters.
   */
  public Map<String, String> fieldsFor(Finding f, Map<String, String> hostFields) {
    List<Plan> ps = consumers.get(f.ruleId());
    if (ps == null) {
      return Map.of();
    }
    Set<String> needed = new LinkedHashSet<>();
    for (Plan p : ps) {
      for (CorrelationRule.Reference ref : p.rule.references()) {
        if (ref.ruleId().equals(f.ruleId())) {
          needed.addAll(CorrelationResolver.needed(p.rule, ref));
        }
      }
    }
    ActiveRule rule = bases.get(f.ruleId());
    List<SigmaFields> views = rule == null ? List.of() : rule.mapping().present(f.event());
    Map<String, String> out = new TreeMap<>();
    for (String field : needed) {
      String value = null;
      for (SigmaFields v : views) {
        for (Object o : v.values(field)) {
          if (o != null) {
            value = render(o);
            break;
          }
        }
        if (value != null) {
          break;
        }
      }
      if (value == null && hostFields != null) {
        value = hostFields.get(field);
      }
      if (value != null) {
        out.put(field, bounded(value));
      }
    }
    return out;
  }

  /**
   * A value as text: numbers canonical (integral doubles without {@code .0}), booleans as words.
   */
  static String render(Object o) {
    if (o instanceof Double d && Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(o);
  }

  /** A number for people: integral without a fraction, else at most 4 decimals. */
  public static String shown(double d) {
    if (!Double.isFinite(d)) {
      return String.valueOf(d);
    }
    return new java.math.BigDecimal(d)
        .setScale(4, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String bounded(String s) {
    return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS);
  }

  /**
   * Takes one input: buffered until its source's watermark passes it, then evaluated. Returns the
   * findings this released (of this or earlier inputs), in order.
   */
  public List<CorrelationFinding> offer(CorrelationInput in) {
    if (!consumers.containsKey(in.ruleId())) {
      return List.of();
    }
    Source s = source(in.source());
    if (s == null) {
      bufferDropped++;
      return List.of();
    }
    if (late(s, in.eventTimeNs())) {
      lateDropped++;
      return List.of();
    }
    if (s.buffer.size() >= MAX_BUFFERED_PER_SOURCE || bufferedInputs >= options.maxHeldInputs()) {
      bufferDropped++;
      return List.of();
    }
    s.buffer.add(in);
    bufferedInputs++;
    s.maxSeenNs = Math.max(s.maxSeenNs, in.eventTimeNs());
    bound();
    return release(s);
  }

  /**
   * Whether {@link #offer} would drop an input of {@code source} with this event time as late right
   * now (for an input of a rule this engine {@link #feeds}): it is older than the source's newest
   * event time seen minus the lateness. A source this engine does not know (never seen, or removed
   * as idle) has nothing late. Lets the caller store only inputs the engine keeps, so a rebuild
   * after a restart does not revive inputs that were dropped. Changes nothing.
   */
  public boolean isLate(String source, long eventTimeNs) {
    Source s = sources.get(source);
    return s != null && late(s, eventTimeNs);
  }

  private boolean late(Source s, long eventTimeNs) {
    return eventTimeNs < s.watermark(latenessNs);
  }

  /** Advances {@code source}'s event time (called for every stored event of it). */
  public List<CorrelationFinding> observe(String source, long eventTimeNs) {
    // Remembered even before its first input: an input older than what its source has already
    // shown is late whether or not an input came before it.
    Source s = source(source);
    if (s == null) {
      return List.of();
    }
    s.maxSeenNs = Math.max(s.maxSeenNs, eventTimeNs);
    return release(s);
  }

  /** Releases every buffered input of every source, in order (tests, end of a replay). */
  public List<CorrelationFinding> flush() {
    PriorityQueue<CorrelationInput> all = new PriorityQueue<>(CorrelationInput::compare);
    for (Source s : sources.values()) {
      all.addAll(s.buffer);
      s.buffer.clear();
      // Later inputs older than what was released here are late.
      s.maxSeenNs = Math.max(s.maxSeenNs, saturatingAdd(s.maxSeenNs, latenessNs));
    }
    List<CorrelationFinding> out = new ArrayList<>();
    while (!all.isEmpty()) {
      CorrelationInput in = all.poll();
      bufferedInputs--;
      process(in, out, 0);
    }
    return sorted(out);
  }

  /**
   * How far back in event time stored inputs must be re-offered to a fresh engine for it to reach
   * this engine's state: twice the timespan summed along the longest chain, plus the lateness.
   */
  public long horizonNs() {
    return horizonNs;
  }

  /**
   * The engine's counters. Safe to call from any thread while another drives the engine: each
   * counter is read as of a recent moment, though the counters of one snapshot may be from
   * different moments of the same {@link #offer}.
   */
  public CorrelationStats stats() {
    return new CorrelationStats(
        openGroups,
        heldInputs,
        lateDropped,
        evictedGroups,
        evictedInputs,
        bufferedInputs,
        bufferDropped,
        missingFields,
        nonNumeric,
        findings,
        evictedSources);
  }

  /** The correlations this engine evaluates. */
  public int ruleCount() {
    return plans.size();
  }

  private Source source(String id) {
    Source s = sources.get(id);
    if (s == null) {
      if (sources.size() >= MAX_SOURCES) {
        removeIdleSources();
      }
      if (sources.size() < MAX_SOURCES) {
        s = new Source();
        sources.put(id, s);
      }
    }
    return s;
  }

  /**
   * At the cap of sources, removes those with nothing buffered whose newest event time is more than
   * the horizon behind the newest released input of any source: their groups are all past the
   * horizon. A removed source that comes back starts afresh (its old watermark forgotten). A sweep
   * that frees less than 1% of the cap is not repeated until as many sources were refused, so a
   * full set of live sources does not cost a sweep per new one.
   */
  private void removeIdleSources() {
    if (sourceSweepWait > 0) {
      sourceSweepWait--;
      return;
    }
    long idleBefore = saturatingAdd(releasedMaxNs, -horizonNs);
    int removed = 0;
    Iterator<Source> it = sources.values().iterator();
    while (it.hasNext()) {
      Source s = it.next();
      if (s.buffer.isEmpty() && s.maxSeenNs < idleBefore) {
        s.removed = true;
        it.remove();
        removed++;
      }
    }
    evictedSources += removed;
    if (removed < MAX_SOURCES / 100) {
      sourceSweepWait = MAX_SOURCES / 100;
    }
  }

  private List<CorrelationFinding> release(Source s) {
    long watermark = s.watermark(latenessNs);
    List<CorrelationFinding> out = null;
    while (!s.buffer.isEmpty() && s.buffer.peek().eventTimeNs() < watermark) {
      CorrelationInput in = s.buffer.poll();
      bufferedInputs--;
      if (out == null) {
        out = new ArrayList<>();
      }
      process(in, out, 0);
    }
    return out == null ? List.of() : sorted(out);
  }

  private static List<CorrelationFinding> sorted(List<CorrelationFinding> out) {
    // Stable: findings of one anchor keep rule order, inner before outer in a chain.
    out.sort(Comparator.comparing(CorrelationFinding::anchor, CorrelationInput::compare));
    return out;
  }

  private void process(CorrelationInput in, List<CorrelationFinding> out, int depth) {
    List<Plan> ps = consumers.get(in.ruleId());
    if (ps == null || depth > 64) {
      return;
    }
    releasedMaxNs = Math.max(releasedMaxNs, in.eventTimeNs());
    Source src = sources.get(in.source());
    if (src != null) {
      src.releasedMaxNs = Math.max(src.releasedMaxNs, in.eventTimeNs());
    }
    for (Plan p : ps) {
      CorrelationFinding f = p.accept(this, in);
      bound();
      if (f != null) {
        findings++;
        out.add(f);
        // A firing is at once an input of the correlations over this one.
        process(
            new CorrelationInput(
                p.rule.ruleId(), in.source(), in.eventTimeNs(), in.streamId(), in.seq(), f.group()),
            out,
            depth + 1);
      }
    }
    expire();
  }

  /**
   * Drops groups whose inputs all left the window (looking at a few least recently touched). The
   * window is measured on the clock of the source that last fed the group, not the newest of all
   * sources: one agent draining a backlog must not expire another agent's groups, whose inputs are
   * still to come in their own time.
   */
  private void expire() {
    expire(EXPIRY_SCAN);
  }

  /** Removes the expired groups among the first {@code scan} least recently touched; how many. */
  private int expire(int scan) {
    int removed = 0;
    Iterator<Map.Entry<GroupKey, Group>> it = groups.entrySet().iterator();
    for (int i = 0; i < scan && it.hasNext(); i++) {
      Map.Entry<GroupKey, Group> e = it.next();
      if (expired(plans.get(e.getKey().plan()), e.getValue())) {
        heldInputs -= e.getValue().inputs.size();
        it.remove();
        removed++;
      }
    }
    openGroups = groups.size();
    return removed;
  }

  private boolean expired(Plan p, Group g) {
    // A removed (idle) source's clock stands still: measure its groups on the newest of all.
    long now =
        g.lastSource == null || g.lastSource.removed ? releasedMaxNs : g.lastSource.releasedMaxNs;
    return g.lastNs <= saturatingAdd(now, -(p.spanNs + latenessNs));
  }

  private Group group(GroupKey key) {
    Group g = groups.get(key);
    if (g == null) {
      if (groups.size() >= options.maxGroups()) {
        sweepExpired();
      }
      if (groups.size() >= options.maxGroups()) {
        evictOldestGroup();
      }
      g = new Group();
      groups.put(key, g);
      openGroups = groups.size();
    }
    return g;
  }

  /**
   * At a bound, removes every expired group before a live one is evicted. A sweep that frees less
   * than 1% of {@code maxGroups} is not repeated until as many groups were created at the cap (or
   * inputs taken over the held-input bound): the cost per input stays constant even when the open
   * groups are all live.
   */
  private void sweepExpired() {
    if (groupSweepWait > 0) {
      groupSweepWait--;
      return;
    }
    int removed = expire(Integer.MAX_VALUE);
    if (removed < options.maxGroups() / 100) {
      groupSweepWait = options.maxGroups() / 100;
    }
  }

  private void evictOldestGroup() {
    Iterator<Map.Entry<GroupKey, Group>> it = groups.entrySet().iterator();
    Group old = it.next().getValue();
    heldInputs -= old.inputs.size();
    it.remove();
    evictedGroups++;
    openGroups = groups.size();
  }

  /**
   * Keeps held and buffered inputs together within {@code maxHeldInputs} by evicting the least
   * recently touched groups (buffered inputs beyond it are refused on arrival, see {@link #offer}).
   */
  private void bound() {
    if (heldInputs + bufferedInputs <= options.maxHeldInputs()) {
      return;
    }
    sweepExpired();
    while (heldInputs + bufferedInputs > options.maxHeldInputs() && !groups.isEmpty()) {
      evictOldestGroup();
    }
  }

  static long saturatingAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** One source's buffer and newest event time. */
  private static final class Source {
    final PriorityQueue<CorrelationInput> buffer = new PriorityQueue<>(CorrelationInput::compare);
    long maxSeenNs = Long.MIN_VALUE;

    /** Removed as idle: its groups are measured on the newest clock of all sources. */
    boolean removed;

    /** The newest event time of this source's inputs released so far. */
    long releasedMaxNs = Long.MIN_VALUE;

    long watermark(long latenessNs) {
      return saturatingAdd(maxSeenNs, -latenessNs);
    }
  }

  private record GroupKey(int plan, List<String> values) {}

  /** An input in a group's window, with the value(s) its correlation aggregates. */
  private record Entry(CorrelationInput input, List<String> values, double number) {}

  /** A group's window inputs in order, and whether the condition held at its latest input. */
  private static final class Group {
    final ArrayList<Entry> inputs = new ArrayList<>();
    boolean lastHeld;
    long lastNs = Long.MIN_VALUE;

    /** The source of the latest input, whose clock expires the group (null: none known). */
    Source lastSource;
  }

  /** One correlation ready to evaluate. */
  private static final class Plan {
    final int index;
    final CorrelationRule rule;
    final SigmaCorrelation c;
    final long spanNs;
    final Map<String, CorrelationRule.Reference> refByInput = new HashMap<>();
    final List<String> order = new ArrayList<>();

    Plan(int index, CorrelationRule rule) {
      this.index = index;
      this.rule = rule;
      this.c = rule.rule();
      this.spanNs = c.timespan().toNanos();
      for (CorrelationRule.Reference ref : rule.references()) {
        refByInput.put(ref.ruleId(), ref);
        order.add(ref.ruleId());
      }
    }

    CorrelationFinding accept(CorrelationEngine e, CorrelationInput in) {
      CorrelationRule.Reference ref = refByInput.get(in.ruleId());
      List<String> key = new ArrayList<>(c.groupBy().size());
      for (String g : c.groupBy()) {
        String v = in.fields().get(rule.fieldFor(ref, g));
        if (v == null) {
          e.missingFields++;
          return null;
        }
        key.add(v);
      }
      List<String> values = new ArrayList<>(c.fields().size());
      for (String f : c.fields()) {
        String v = in.fields().get(rule.fieldFor(ref, f));
        if (v == null) {
          e.missingFields++;
          return null;
        }
        values.add(v);
      }
      double number = Double.NaN;
      if (c.type().equals("value_sum") || c.type().equals("value_avg")) {
        number = number(values.get(0));
        if (Double.isNaN(number)) {
          e.nonNumeric++;
        }
      }
      Group g = e.group(new GroupKey(index, List.copyOf(key)));
      Entry entry = new Entry(in, List.copyOf(values), number);
      // Insert in order; inputs of one source come in order, so this is almost always an append.
      int at = g.inputs.size();
      while (at > 0 && CorrelationInput.compare(g.inputs.get(at - 1).input(), in) > 0) {
        at--;
      }
      g.inputs.add(at, entry);
      e.heldInputs++;
      // An input of another source released after newer ones of this group (its agent lags or
      // drains a backlog) lands mid-list: it counts toward later evaluations, but is not evaluated
      // itself. Its window would miss inputs the newer ones already dropped, and its verdict would
      // overwrite the newest input's state and make the group fire twice.
      boolean tail = at == g.inputs.size() - 1;
      long t = in.eventTimeNs();
      long newest = g.inputs.get(g.inputs.size() - 1).input().eventTimeNs();
      // Later evaluations are at or after the newest input: nothing at or before this is needed.
      long from = saturatingAdd(newest, -spanNs); // window is (from, newest]
      int drop = 0;
      while (drop < g.inputs.size() && g.inputs.get(drop).input().eventTimeNs() <= from) {
        drop++;
      }
      int cap = g.inputs.size() - drop - e.options.maxInputsPerGroup();
      if (cap > 0) {
        e.evictedInputs += cap;
        drop += cap;
      }
      if (drop > 0) {
        g.inputs.subList(0, drop).clear();
        e.heldInputs -= drop;
        at -= drop;
      }
      if (at < 0 || !tail) {
        return null; // evicted (an old input into a full group), or not the newest of its group
      }
      List<Entry> window = g.inputs.subList(0, at + 1);
      double value = aggregate(window, entry);
      boolean held = holds(window, value);
      boolean heldBefore = g.lastHeld && g.lastNs > from;
      g.lastHeld = held;
      g.lastNs = Math.max(g.lastNs, t);
      g.lastSource = e.sources.get(in.source());
      if (!held || heldBefore) {
        return null;
      }
      Map<String, String> group = new LinkedHashMap<>();
      for (int i = 0; i < key.size(); i++) {
        group.put(c.groupBy().get(i), key.get(i));
      }
      List<CorrelationInput> members = new ArrayList<>();
      for (int i = Math.max(0, window.size() - 1 - MAX_MEMBERS); i < window.size() - 1; i++) {
        members.add(window.get(i).input());
      }
      return new CorrelationFinding(
          rule.ruleId(),
          c.title(),
          c.level(),
          c.tags(),
          c.origin(),
          c.type(),
          group,
          describe(window, value),
          rule.standalone(),
          in,
          members,
          window.get(0).input().eventTimeNs(),
          t);
    }

    /** The number the condition is applied to. */
    private double aggregate(List<Entry> window, Entry anchor) {
      switch (c.type()) {
        case "event_count":
          return window.size();
        case "value_count":
          {
            Set<List<String>> distinct = new java.util.HashSet<>();
            window.forEach(x -> distinct.add(x.values()));
            return distinct.size();
          }
        case "value_sum":
        case "value_avg":
          {
            double sum = 0;
            int n = 0;
            for (Entry x : window) {
              if (!Double.isNaN(x.number())) {
                sum += x.number();
                n++;
              }
            }
            if (c.type().equals("value_sum")) {
              return sum;
            }
            return n == 0 ? Double.NaN : sum / n;
          }
        case "value_percentile":
          {
            int same = 0;
            for (Entry x : window) {
              if (x.values().equals(anchor.values())) {
                same++;
              }
            }
            return 100.0 * same / window.size();
          }
        case "temporal":
          {
            Set<String> seen = new java.util.HashSet<>();
            window.forEach(x -> seen.add(x.input().ruleId()));
            return seen.size();
          }
        default: // temporal_ordered: how many of the rules occur in order (an ordered subsequence)
          {
            int k = 0;
            for (Entry x : window) {
              if (k < order.size() && order.get(k).equals(x.input().ruleId())) {
                k++;
              }
            }
            return k;
          }
      }
    }

    private boolean holds(List<Entry> window, double value) {
      if (Double.isNaN(value)) {
        return false;
      }
      if (c.condition().isEmpty()) { // temporal without a condition: every rule
        return value == order.size();
      }
      for (Map.Entry<String, Double> op : c.condition().entrySet()) {
        double t = op.getValue();
        boolean ok =
            switch (op.getKey()) {
              case "gt" -> value > t;
              case "gte" -> value >= t;
              case "lt" -> value < t;
              case "lte" -> value <= t;
              case "eq" -> value == t;
              default -> value != t;
            };
        if (!ok) {
          return false;
        }
      }
      return true;
    }

    private String describe(List<Entry> window, double value) {
      StringBuilder b = new StringBuilder(c.type()).append(' ').append(shown(value));
      if (c.type().equals("value_percentile")) {
        b.append('%');
      }
      if (c.condition().isEmpty()) {
        b.append('/').append(order.size()).append(" rules");
        if (c.type().equals("temporal_ordered")) {
          b.append(" in order");
        }
      }
      String sep = " ";
      for (Map.Entry<String, Double> op : c.condition().entrySet()) {
        b.append(sep).append(symbol(op.getKey())).append(' ').append(shown(op.getValue()));
        sep = " and ";
      }
      return b.append(" within ").append(c.timespanText()).toString();
    }

    private static String symbol(String op) {
      return switch (op) {
        case "gt" -> ">";
        case "gte" -> ">=";
        case "lt" -> "<";
        case "lte" -> "<=";
        case "eq" -> "==";
        default -> "!=";
      };
    }
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?[0-9]{1,30}(\\.[0-9]{1,30})?([eE][-+]?[0-9]{1,3})?");

  /** A numeric field value, or NaN when it is not a plain decimal number. */
  static double number(String s) {
    String t = s.strip();
    if (!NUMBER.matcher(t).matches()) {
      return Double.NaN;
    }
    double d = Double.parseDouble(t);
    return Double.isFinite(d) ? d : Double.NaN;
  }
}
