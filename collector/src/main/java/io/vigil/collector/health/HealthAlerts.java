package io.vigil.collector.health;

import io.vigil.collector.detection.AlertJson;
import io.vigil.collector.detection.BuiltinAlerts;
import io.vigil.collector.store.NewAlert;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.TamperNotice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fleet health and tamper alerts: source {@code health}, origin {@code builtin:health}, fixed
 * rule ids (what an allow-list entry, a sink filter or {@code vigilctl alerts list --rule} names).
 * Details are matched fields (field to array of strings, JSON-escaped by {@link AlertJson}); text
 * from the agent (tamper kinds and details, gap sources, restart details) is bounded here. The
 * suppression key is agent, rule and what the alert is about, so one condition that repeats folds
 * into one alert within the suppression window and another condition does not. Stateless.
 */
public final class HealthAlerts {
  public static final String SOURCE = "health";
  public static final String ORIGIN = "builtin:health";
  private static final BuiltinAlerts BUILT_IN = new BuiltinAlerts(SOURCE, ORIGIN);

  /** Not connected and not heard from for {@code health.silent_after} (medium). */
  public static final String SILENT = "vigil-agent-silent";

  /** A Hello with another stream epoch than the agent's previous one: spool wiped (high). */
  public static final String NEW_EPOCH = "vigil-agent-new-epoch";

  /** The agent's previous run ended without stopping: killed, crashed, power lost (medium). */
  public static final String RESTART_UNEXPECTED = "vigil-agent-restart-unexpected";

  /** Events lost: a Gap event from the agent, or a hole the collector declared lost. */
  public static final String EVENTS_LOST = "vigil-agent-events-lost";

  /** The agent's clock is further than {@code health.max_clock_skew} from the collector's (low). */
  public static final String CLOCK_SKEW = "vigil-agent-clock-skew";

  /**
   * The agent is shedding events to stay within its own CPU or memory budget (medium), once per
   * episode: from leaving LEVEL_NORMAL until it is back there. Reduced detail alone raises none.
   */
  public static final String OVER_BUDGET = "vigil-agent-over-budget";

  /**
   * The collector's own storage nearly full: it refuses event batches (high). Raised on the
   * collector's pseudo stream, agent id {@value #COLLECTOR}.
   */
  public static final String DISK_FULL = "vigil-collector-disk-full";

  /** The agent id (and epoch) of the collector's pseudo stream; no agent may use it. */
  public static final String COLLECTOR = "collector";

  /** Prefix of the tamper rule ids: {@code vigil-tamper-} and the kind with dashes. */
  public static final String TAMPER_PREFIX = "vigil-tamper-";

  /** The rule id of a tamper kind the collector does not know. */
  public static final String TAMPER_OTHER = TAMPER_PREFIX + "other";

  /** The tamper kinds with a rule id of their own. */
  public static final Set<String> TAMPER_KINDS =
      Set.of(
          "audit_rules_removed",
          "audit_disabled",
          "audit_daemon_replaced",
          "containment_table_removed",
          "containment_table_changed");

  private static final int MAX_KIND_CHARS = 64;
  private static final int MAX_TEXT_CHARS = 512;
  static final int MAX_NOTICES = 32;

  private static final List<String> IMPAIR =
      List.of("attack.defense-evasion", "attack.t1562.001", "vigil.health");
  private static final List<String> WIPED =
      List.of("attack.defense-evasion", "attack.t1070", "attack.t1562.001", "vigil.health");
  private static final List<String> HEALTH = List.of("vigil.health");

  private HealthAlerts() {}

  /**
   * @param lastSeenNs when the agent was last heard from, collector clock
   * @param nowNs when it was declared silent
   */
  public static NewAlert silent(String agentId, long lastSeenNs, long nowNs, long silentAfterNs) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("last_seen", List.of(lastSeenNs == 0 ? "never" : iso(lastSeenNs)));
    f.put("silent_for", List.of(DurationText.of(nowNs - lastSeenNs)));
    f.put("silent_after", List.of(DurationText.of(silentAfterNs)));
    return BUILT_IN.alert(agentId, SILENT, "Agent silent", "medium", IMPAIR, f, "");
  }

  /**
   * @param previousWatermark the highest seq stored of the previous epoch
   * @param spooled the highest seq the agent says it spooled in the new one
   */
  public static NewAlert newEpoch(
      String agentId, String previousEpoch, long previousWatermark, String epoch, long spooled) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("previous_epoch", List.of(previousEpoch));
    f.put("previous_epoch_stored_seq", List.of(Long.toUnsignedString(previousWatermark)));
    f.put("stream_epoch", List.of(epoch));
    f.put("spooled_seq", List.of(Long.toUnsignedString(spooled)));
    return BUILT_IN.alert(
        agentId,
        NEW_EPOCH,
        "Agent started a new stream epoch (spool wiped)",
        "high",
        WIPED,
        f,
        epoch);
  }

  public static NewAlert restartUnexpected(String agentId, AgentStart start) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("previous_stop", List.of(start.getPreviousStop().name()));
    f.put("started", List.of(iso(start.getStartedNs())));
    f.put("detail", List.of(bounded(start.getDetail(), MAX_TEXT_CHARS)));
    return BUILT_IN.alert(
        agentId,
        RESTART_UNEXPECTED,
        "Agent restarted after an unclean stop",
        "medium",
        IMPAIR,
        f,
        "");
  }

  /** Events the agent says it lost (a Gap event). */
  public static NewAlert gap(String agentId, Gap gap, String countsByKindJson) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("reason", List.of(gap.getReason().name()));
    f.put("count", List.of(Long.toUnsignedString(gap.getCount())));
    if (gap.getFirstSeq() != 0 || gap.getLastSeq() != 0) {
      f.put(
          "seq_range",
          List.of(
              Long.toUnsignedString(gap.getFirstSeq())
                  + ".."
                  + Long.toUnsignedString(gap.getLastSeq())));
    }
    f.put("source", List.of(bounded(gap.getSource(), MAX_KIND_CHARS)));
    f.put("counts_by_kind", List.of(countsByKindJson));
    // Losses the agent could not avoid under load (or chose, to stay within its budget, which
    // vigil-agent-over-budget reports at medium) are worth less than lost spooled events.
    String level =
        gap.getReason() == Gap.Reason.REASON_RATE_LIMITED
                || gap.getReason() == Gap.Reason.REASON_BUDGET
            ? "low"
            : "medium";
    return BUILT_IN.alert(
        agentId,
        EVENTS_LOST,
        "Agent lost events (" + gap.getReason().name() + ")",
        level,
        HEALTH,
        f,
        gap.getReason().name());
  }

  /** Events missing from a stream that no Gap explained within the grace period. */
  public static NewAlert hole(String agentId, String epoch, long firstSeq, long lastSeq) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("reason", List.of("missing_not_explained"));
    f.put("stream_epoch", List.of(epoch));
    f.put(
        "seq_range",
        List.of(Long.toUnsignedString(firstSeq) + ".." + Long.toUnsignedString(lastSeq)));
    f.put("count", List.of(Long.toUnsignedString(lastSeq - firstSeq + 1)));
    return BUILT_IN.alert(
        agentId,
        EVENTS_LOST,
        "Events missing from the agent's stream, not explained by the agent",
        "high",
        IMPAIR,
        f,
        "hole");
  }

  public static NewAlert clockSkew(String agentId, long skewNs, long maxNs) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("clock_skew", List.of(skewWords(skewNs)));
    f.put("clock_skew_ns", List.of(Long.toString(skewNs)));
    f.put("max_clock_skew", List.of(DurationText.of(maxNs)));
    return BUILT_IN.alert(agentId, CLOCK_SKEW, "Agent clock skewed", "low", HEALTH, f, "");
  }

  /** The agent sheds events to stay within its budget ({@link #OVER_BUDGET}). */
  public static NewAlert overBudget(String agentId, AgentBudget b) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("level", List.of(HealthProblems.levelName(b.getLevel())));
    f.put("reason", List.of(bounded(b.getReason(), MAX_TEXT_CHARS)));
    f.put("cpu_percent", List.of(String.format(java.util.Locale.ROOT, "%.1f", b.getCpuPercent())));
    f.put(
        "cpu_budget_percent",
        List.of(String.format(java.util.Locale.ROOT, "%.1f", b.getCpuBudgetPercent())));
    f.put("rss_anon_bytes", List.of(Long.toUnsignedString(b.getRssAnonBytes())));
    f.put("memory_budget_bytes", List.of(Long.toUnsignedString(b.getMemoryBudgetBytes())));
    f.put("shed_events", List.of(Long.toUnsignedString(b.getShedEvents())));
    List<String> reductions = new ArrayList<>();
    for (String r : b.getReductionsList().subList(0, Math.min(b.getReductionsCount(), 16))) {
      reductions.add(bounded(r, MAX_TEXT_CHARS));
    }
    f.put("reductions", reductions);
    return BUILT_IN.alert(
        agentId,
        OVER_BUDGET,
        "Agent over its resource budget: dropping low-value events",
        "medium",
        HEALTH,
        f,
        "");
  }

  /**
   * The collector refuses batches: free space on {@code path} fell below {@code
   * store.min_free_bytes}.
   */
  public static NewAlert diskFull(String path, long freeBytes, long minFreeBytes) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("path", List.of(bounded(path, MAX_TEXT_CHARS)));
    f.put("free_bytes", List.of(Long.toString(freeBytes)));
    f.put("min_free_bytes", List.of(Long.toString(minFreeBytes)));
    return BUILT_IN.alert(
        COLLECTOR,
        DISK_FULL,
        "Collector storage nearly full: refusing event batches (agents keep spooling)",
        "high",
        HEALTH,
        f,
        "");
  }

  /** The rule id of a tamper kind: {@code vigil-tamper-<kind with dashes>}, or {@code -other}. */
  public static String tamperRule(String kind) {
    return TAMPER_KINDS.contains(kind) ? TAMPER_PREFIX + kind.replace('_', '-') : TAMPER_OTHER;
  }

  /**
   * One alert for the notices of one rule in one AgentStatus (the store keeps one alert per rule
   * and event: notices of one kind in the same status are one alert with every detail). Past
   * {@value #MAX_NOTICES} notices the rest are counted in the field {@code notices_left_out}.
   *
   * @param notices notices whose {@link #tamperRule} is {@code ruleId}, at least one
   */
  public static NewAlert tamper(String agentId, String ruleId, List<TamperNotice> notices) {
    List<String> kinds = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<String> restored = new ArrayList<>();
    List<String> detected = new ArrayList<>();
    for (TamperNotice n : notices.subList(0, Math.min(notices.size(), MAX_NOTICES))) {
      kinds.add(bounded(n.getKind(), MAX_KIND_CHARS));
      details.add(bounded(n.getDetail(), MAX_TEXT_CHARS));
      restored.add(Boolean.toString(n.getRestored()));
      detected.add(n.getDetectedNs() == 0 ? "" : iso(n.getDetectedNs()));
    }
    Map<String, List<String>> f = new LinkedHashMap<>();
    f.put("kind", kinds);
    f.put("detail", details);
    f.put("restored", restored);
    f.put("detected", detected);
    if (notices.size() > MAX_NOTICES) {
      // The agent keeps more than an alert shows: say so rather than drop them silently.
      f.put("notices_left_out", List.of(Integer.toString(notices.size() - MAX_NOTICES)));
    }
    return BUILT_IN.alert(agentId, ruleId, tamperTitle(ruleId), "high", tamperTags(ruleId), f, "");
  }

  /** "3m 5s ahead" or "40s behind": the agent's clock against the collector's. */
  public static String skewWords(long skewNs) {
    return DurationText.of(skewNs) + (skewNs >= 0 ? " ahead" : " behind");
  }

  private static String tamperTitle(String ruleId) {
    return switch (ruleId) {
      case "vigil-tamper-audit-rules-removed" -> "Agent's audit rules removed";
      case "vigil-tamper-audit-disabled" -> "Auditing disabled on the host";
      case "vigil-tamper-audit-daemon-replaced" -> "Another process took the audit daemon slot";
      case "vigil-tamper-containment-table-removed" -> "Agent's containment table removed";
      case "vigil-tamper-containment-table-changed" -> "Agent's containment table changed";
      default -> "Agent reported tampering";
    };
  }

  private static List<String> tamperTags(String ruleId) {
    List<String> tags = new ArrayList<>(List.of("attack.defense-evasion", "attack.t1562.001"));
    if (ruleId.startsWith(TAMPER_PREFIX + "audit-")) {
      tags.add("attack.t1562.012"); // Disable or Modify Linux Audit System
    } else if (ruleId.startsWith(TAMPER_PREFIX + "containment-")) {
      tags.add("attack.t1562.004"); // Disable or Modify System Firewall
    }
    tags.add("vigil.tamper");
    return tags;
  }

  /** The suppression key of a health alert of {@code ruleId} about {@code subject}. */
  public static String dedupeKey(String agentId, String ruleId, String subject) {
    return BUILT_IN.dedupeKey(agentId, ruleId, subject);
  }

  private static String iso(long ns) {
    return WallClock.toInstant(ns).toString();
  }

  /** At most {@code max} characters, cut at a code point; the alert shows, it does not parse. */
  static String bounded(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + "...";
  }
}
