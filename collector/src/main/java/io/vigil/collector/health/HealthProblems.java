package io.vigil.collector.health;

import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TamperNotice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An agent's health problems now, in words an operator can act on: silence, degraded sensors, drop
 * counters, capture drops, spool backlog, clock skew, the agent over its own resource budget,
 * tampering the newest status reports, the certificate running out. Text from the agent (sensor
 * names and reasons, drop reasons, interface names, tamper details) is bounded here and must be
 * escaped where it is shown. Stateless.
 */
public final class HealthProblems {
  /** A certificate this close to its end is a problem (renewal should have replaced it). */
  static final long CERTIFICATE_WARNING_NS = Duration.ofDays(7).toNanos();

  private static final int MAX_TEXT_CHARS = 200;
  private static final int MAX_PROBLEMS = 64;

  private HealthProblems() {}

  /**
   * @param agent the agent with its {@code health} filled in (problems aside)
   * @param nowNs the collector's clock
   * @param maxClockSkewNs {@code health.max_clock_skew}
   */
  public static List<String> of(AgentRecord agent, long nowNs, long maxClockSkewNs) {
    AgentHealth h = agent.getHealth();
    List<String> out = new ArrayList<>();
    if (h.getSilentSinceNs() != 0) {
      out.add(
          "silent for "
              + DurationText.of(nowNs - agent.getLastSeenNs())
              + " (not connected, not heard from since "
              + iso(agent.getLastSeenNs())
              + ")");
    }
    AgentStatus s = h.getStatus();
    for (SensorState sensor : s.getSensorsList()) {
      if (sensor.getDegraded()) {
        out.add(
            "sensor "
                + bounded(sensor.getName())
                + " degraded: "
                + (sensor.getReason().isEmpty()
                    ? "(no reason given)"
                    : bounded(sensor.getReason())));
      }
    }
    overBudget(s).ifPresent(out::add);
    AgentCounters c = s.getCounters();
    for (Map.Entry<String, Long> d : new TreeMap<>(c.getDroppedMap()).entrySet()) {
      if (d.getValue() != 0) {
        out.add(
            Long.toUnsignedString(d.getValue())
                + " events dropped ("
                + bounded(d.getKey())
                + ") since the agent started");
      }
    }
    if (c.getLostUnacked() != 0) {
      out.add(
          Long.toUnsignedString(c.getLostUnacked())
              + " events deleted from the spool before the collector had them");
    }
    for (CaptureCounters cap : s.getCapturesList()) {
      if (cap.getDroppedByKernel() != 0) {
        out.add(
            "capture "
                + bounded(cap.getInterface())
                + ": "
                + Long.toUnsignedString(cap.getDroppedByKernel())
                + " packets dropped by the kernel");
      }
    }
    long backlog = backlog(h);
    if (backlog > 0) {
      out.add("backlog " + backlog + " events (spooled on the host, not stored yet)");
    }
    long skew = h.getClockSkewNs();
    if (skew > maxClockSkewNs || skew < -maxClockSkewNs) {
      out.add("clock " + HealthAlerts.skewWords(skew) + " of the collector's");
    }
    for (TamperNotice t : s.getTampersList()) {
      out.add(
          "tampering: "
              + bounded(t.getKind())
              + (t.getDetail().isEmpty() ? "" : ": " + bounded(t.getDetail()))
              + (t.getRestored() ? " (restored by the agent)" : " (not restored)"));
    }
    long notAfter = agent.getCertificateNotAfterNs();
    if (notAfter != 0 && agent.getRevokedNs() == 0) {
      if (notAfter <= nowNs) {
        out.add("certificate expired " + DurationText.of(nowNs - notAfter) + " ago");
      } else if (notAfter - nowNs < CERTIFICATE_WARNING_NS) {
        out.add("certificate expires in " + DurationText.of(notAfter - nowNs));
      }
    }
    return out.size() <= MAX_PROBLEMS ? out : out.subList(0, MAX_PROBLEMS);
  }

  /**
   * "over budget: CPU 71% of one core over 30s, budget 50% (SHEDDING)" while the newest status says
   * the agent is above LEVEL_NORMAL; empty otherwise (budgets off, or within budget).
   */
  public static java.util.Optional<String> overBudget(AgentStatus s) {
    if (!s.hasBudget() || !overBudget(s.getBudget().getLevel())) {
      return java.util.Optional.empty();
    }
    AgentBudget b = s.getBudget();
    return java.util.Optional.of(
        "over budget: "
            + (b.getReason().isEmpty() ? "(no reason given)" : bounded(b.getReason()))
            + " ("
            + levelName(b.getLevel())
            + ")");
  }

  /** True at REDUCED and SHEDDING. */
  public static boolean overBudget(AgentBudget.Level level) {
    return level == AgentBudget.Level.LEVEL_REDUCED || level == AgentBudget.Level.LEVEL_SHEDDING;
  }

  /** {@code LEVEL_SHEDDING} → {@code SHEDDING}. */
  public static String levelName(AgentBudget.Level level) {
    String n = level.name();
    return n.startsWith("LEVEL_") ? n.substring("LEVEL_".length()) : n;
  }

  /** Events the agent spooled that the collector has not stored yet (0 when not known). */
  public static long backlog(AgentHealth h) {
    return h.getSpooledSeq() > h.getStoredSeq() ? h.getSpooledSeq() - h.getStoredSeq() : 0;
  }

  private static String bounded(String s) {
    return HealthAlerts.bounded(s, MAX_TEXT_CHARS);
  }

  private static String iso(long ns) {
    return ns == 0 ? "never" : io.vigil.common.time.WallClock.toInstant(ns).toString();
  }
}
