package io.vigil.collector.cli;

import io.vigil.collector.health.DurationText;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.health.HealthProblems;
import io.vigil.common.config.Units;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TamperNotice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text of {@code vigilctl host HOST}: identity and connection, enrolment and certificate,
 * isolation and pending commands, stream positions and backlog, clock skew, silence, the newest
 * status (uptime, resources, the agent's own budget, sensors with their sources and degraded
 * reasons, counters with drops by reason, captures with kernel drops, spool size, tampering) and
 * the problems. Every value from the agent is escaped and bounded. Stateless.
 */
final class HostDetail {
  private static final String LABEL = "  %-17s %s";

  private HostDetail() {}

  static List<String> format(AgentRecord a, long nowNs) {
    AgentHealth h = a.getHealth();
    AgentStatus s = h.getStatus();
    List<String> out = new ArrayList<>();
    out.add("host " + Shown.text(AgentCommands.host(a)) + "  agent " + Shown.text(a.getAgentId()));
    line(out, "version", a.getAgentVersion().isEmpty() ? "-" : Shown.text(a.getAgentVersion()));
    line(out, "connected", a.getConnected() ? "yes" : "no");
    line(out, "last seen", when(a.getLastSeenNs(), nowNs));
    line(out, "first seen", when(a.getFirstSeenNs(), nowNs));
    line(out, "enrolled", a.getEnrolledNs() == 0 ? "no" : Shown.seconds(a.getEnrolledNs()));
    line(out, "certificate until", certificate(a.getCertificateNotAfterNs(), nowNs));
    if (a.getRevokedNs() != 0) {
      line(
          out,
          "revoked",
          Shown.seconds(a.getRevokedNs())
              + " by "
              + Shown.text(a.getRevokedBy())
              + ": "
              + Shown.longText(a.getRevokeReason()));
    }
    line(
        out,
        "isolated",
        a.getIsolationChangedNs() == 0
            ? "no"
            : (a.getIsolated() ? "yes since " : "no since ")
                + Shown.seconds(a.getIsolationChangedNs()));
    line(out, "pending commands", Integer.toString(a.getPendingCommands()));
    line(
        out,
        "stream",
        (h.getStreamEpoch().isEmpty() ? "-" : "epoch " + Shown.text(h.getStreamEpoch()))
            + "  spooled seq "
            + Long.toUnsignedString(h.getSpooledSeq())
            + "  stored seq "
            + Long.toUnsignedString(h.getStoredSeq())
            + "  backlog "
            + HealthProblems.backlog(h)
            + " events");
    line(out, "clock skew", HealthAlerts.skewWords(h.getClockSkewNs()));
    line(
        out,
        "silent",
        h.getSilentSinceNs() == 0 ? "no" : "since " + Shown.seconds(h.getSilentSinceNs()));
    if (h.getStatusTimeNs() == 0) {
      line(out, "last status", "none received");
    } else {
      status(out, h, s, nowNs);
    }
    out.add("problems");
    if (h.getProblemsCount() == 0) {
      out.add("  (none)");
    }
    for (String p : h.getProblemsList()) {
      out.add("  - " + Shown.longText(p));
    }
    return out;
  }

  private static void status(List<String> out, AgentHealth h, AgentStatus s, long nowNs) {
    line(out, "last status", when(h.getStatusTimeNs(), nowNs));
    line(out, "uptime", DurationText.of(s.getUptimeNs()));
    line(
        out,
        "resources",
        String.format(Locale.ROOT, "cpu %.1f%%", s.getCpuPercent())
            + "  rss "
            + Units.formatBytes(s.getRssBytes())
            + " (anon "
            + Units.formatBytes(s.getRssAnonBytes())
            + ")  spool "
            + Units.formatBytes(s.getSpoolBytes()));
    budget(out, s, nowNs);
    if (s.hasHost()) {
      HostInfo i = s.getHost();
      line(
          out,
          "system",
          Shown.text(i.getOsName() + " " + i.getOsVersion())
              + "  kernel "
              + Shown.text(i.getKernel())
              + "  "
              + Shown.text(i.getArchitecture()));
    }
    out.add("sensors");
    if (s.getSensorsCount() == 0) {
      out.add("  (none reported)");
    }
    TextTable sensors = new TextTable("SENSOR", "SOURCE", "STATE");
    for (SensorState sensor : s.getSensorsList()) {
      sensors.row(
          sensor.getName(),
          sensor.getSource(),
          sensor.getDegraded() ? "degraded: " + sensor.getReason() : "ok");
    }
    if (s.getSensorsCount() > 0) {
      sensors.lines().forEach(l -> out.add("  " + l));
    }
    AgentCounters c = s.getCounters();
    out.add("counters (since the agent started)");
    line(
        out,
        "events",
        "produced "
            + Long.toUnsignedString(c.getProduced())
            + "  spooled "
            + Long.toUnsignedString(c.getSpooled())
            + "  sent "
            + Long.toUnsignedString(c.getSent())
            + "  acked "
            + Long.toUnsignedString(c.getAcked())
            + "  lost before ack "
            + Long.toUnsignedString(c.getLostUnacked()));
    line(out, "dropped", counts(c.getDroppedMap()));
    if (s.getCapturesCount() > 0) {
      out.add("captures");
      TextTable t =
          new TextTable(
              "INTERFACE", "RECEIVED", "KERNEL DROPPED", "IFACE DROPPED", "DECODED", "EVICTED");
      for (CaptureCounters cap : s.getCapturesList()) {
        t.row(
            cap.getInterface(),
            Long.toUnsignedString(cap.getReceived()),
            Long.toUnsignedString(cap.getDroppedByKernel()),
            Long.toUnsignedString(cap.getDroppedByInterface()),
            Long.toUnsignedString(cap.getDecoded()),
            Long.toUnsignedString(cap.getFlowsEvicted()));
      }
      t.lines().forEach(l -> out.add("  " + l));
    }
    if (s.getTampersCount() > 0) {
      out.add("tampering (newest status)");
      for (TamperNotice t : s.getTampersList()) {
        out.add(
            "  "
                + Shown.text(t.getKind())
                + ": "
                + Shown.longText(t.getDetail())
                + (t.getRestored() ? "  (restored)" : "  (not restored)"));
      }
    }
  }

  /**
   * The budget line: level, since when and why; usage against the budget; what was given up and how
   * many events were dropped for it. "off" when the agent reports no budget.
   */
  private static void budget(List<String> out, AgentStatus s, long nowNs) {
    if (!s.hasBudget()) {
      line(out, "budget", "off (or not reported by this agent version)");
      return;
    }
    AgentBudget b = s.getBudget();
    String level = HealthProblems.levelName(b.getLevel());
    StringBuilder v = new StringBuilder(level);
    if (HealthProblems.overBudget(b.getLevel())) {
      v.append(" since ").append(when(b.getSinceNs(), nowNs));
      v.append(": ").append(Shown.longText(b.getReason()));
    }
    line(out, "budget", v.toString());
    line(
        out,
        "",
        String.format(
                Locale.ROOT,
                "cpu %.1f%% of %.1f%%  anon %s of %s",
                b.getCpuPercent(),
                b.getCpuBudgetPercent(),
                Units.formatBytes(b.getRssAnonBytes()),
                Units.formatBytes(b.getMemoryBudgetBytes()))
            + "  shed "
            + Long.toUnsignedString(b.getShedEvents())
            + " events  episodes "
            + Long.toUnsignedString(b.getEpisodes()));
    for (String r : b.getReductionsList()) {
      line(out, "", "gave up: " + Shown.longText(r));
    }
  }

  /** Drop counts by reason, e.g. {@code queue_full 12, too_large 1}; "none" when all are 0. */
  static String counts(Map<String, Long> counts) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(counts)
        .forEach(
            (reason, n) -> {
              if (n != 0) {
                parts.add(Shown.text(reason) + " " + Long.toUnsignedString(n));
              }
            });
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static String when(long ns, long nowNs) {
    if (ns == 0) {
      return "never";
    }
    String ago = ns <= nowNs ? DurationText.of(nowNs - ns) + " ago" : "in the future";
    return Shown.seconds(ns) + "  (" + ago + ")";
  }

  private static String certificate(long notAfterNs, long nowNs) {
    if (notAfterNs == 0) {
      return "-";
    }
    return Shown.seconds(notAfterNs)
        + (notAfterNs <= nowNs
            ? "  (expired " + DurationText.of(nowNs - notAfterNs) + " ago)"
            : "  (in " + DurationText.of(notAfterNs - nowNs) + ")");
  }

  private static void line(List<String> out, String label, String value) {
    out.add(String.format(LABEL, label, value));
  }
}
