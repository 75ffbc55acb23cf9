package io.vigil.collector.cli;

import io.vigil.collector.health.HealthProblems;
import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TamperNotice;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A host of {@code vigilctl hosts --json} and {@code vigilctl host HOST --json} as one JSON line:
 * the agent's record with its health (newest status: sensors, counters, captures, tampering; stream
 * positions, backlog, clock skew, silence, problems). Strings are quoted by {@link JsonStrings}
 * (control and line-breaking characters escaped), so agent-supplied text stays inside its value.
 * Stateless.
 */
final class HostJson {
  private HostJson() {}

  static String of(AgentRecord a) {
    StringBuilder out = new StringBuilder();
    JsonFields f =
        new JsonFields(out)
            .str("hostname", a.getHostname())
            .str("agent_id", a.getAgentId())
            .str("reported_hostname", a.getReportedHostname())
            .raw("connected", b -> b.append(a.getConnected()))
            .num("last_seen_ns", a.getLastSeenNs())
            .raw("isolated", b -> b.append(a.getIsolated()))
            .num("isolation_changed_ns", a.getIsolationChangedNs())
            .num("pending_commands", a.getPendingCommands())
            .num("revoked_ns", a.getRevokedNs())
            .str("revoked_by", a.getRevokedBy())
            .str("revoke_reason", a.getRevokeReason())
            .str("agent_version", a.getAgentVersion())
            .num("first_seen_ns", a.getFirstSeenNs())
            .num("enrolled_ns", a.getEnrolledNs())
            .num("certificate_not_after_ns", a.getCertificateNotAfterNs())
            .raw("health", b -> health(a.getHealth(), b));
    f.end();
    return out.toString();
  }

  private static void health(AgentHealth h, StringBuilder out) {
    AgentStatus s = h.getStatus();
    AgentCounters c = s.getCounters();
    JsonFields f =
        new JsonFields(out)
            .num("status_time_ns", h.getStatusTimeNs())
            .str("stream_epoch", h.getStreamEpoch())
            .raw("spooled_seq", b -> b.append(Long.toUnsignedString(h.getSpooledSeq())))
            .raw("stored_seq", b -> b.append(Long.toUnsignedString(h.getStoredSeq())))
            .num("backlog", HealthProblems.backlog(h))
            .num("clock_skew_ns", h.getClockSkewNs())
            .num("silent_since_ns", h.getSilentSinceNs())
            .raw("problems", b -> strings(h.getProblemsList(), b))
            .raw("uptime_ns", b -> b.append(Long.toUnsignedString(s.getUptimeNs())))
            .raw("cpu_percent", b -> b.append(finite(s.getCpuPercent())))
            .raw("rss_bytes", b -> b.append(Long.toUnsignedString(s.getRssBytes())))
            .raw("rss_anon_bytes", b -> b.append(Long.toUnsignedString(s.getRssAnonBytes())))
            .raw("spool_bytes", b -> b.append(Long.toUnsignedString(s.getSpoolBytes())))
            .raw("sensors", b -> sensors(s.getSensorsList(), b))
            .raw("counters", b -> counters(c, b))
            .raw("captures", b -> captures(s.getCapturesList(), b))
            .raw("tampers", b -> tampers(s.getTampersList(), b))
            .raw("budget", b -> budget(s, b));
    f.end();
  }

  /** The agent's budget ({@code AgentStatus.budget}); null when it reports none. */
  private static void budget(AgentStatus s, StringBuilder out) {
    if (!s.hasBudget()) {
      out.append("null");
      return;
    }
    AgentBudget g = s.getBudget();
    new JsonFields(out)
        .str("level", HealthProblems.levelName(g.getLevel()))
        .num("since_ns", g.getSinceNs())
        .str("reason", g.getReason())
        .raw("cpu_budget_percent", b -> b.append(finite(g.getCpuBudgetPercent())))
        .raw("memory_budget_bytes", b -> b.append(Long.toUnsignedString(g.getMemoryBudgetBytes())))
        .raw("cpu_percent", b -> b.append(finite(g.getCpuPercent())))
        .raw("rss_anon_bytes", b -> b.append(Long.toUnsignedString(g.getRssAnonBytes())))
        .raw("reductions", b -> strings(g.getReductionsList(), b))
        .raw("shed_events", b -> b.append(Long.toUnsignedString(g.getShedEvents())))
        .raw("episodes", b -> b.append(Long.toUnsignedString(g.getEpisodes())))
        .end();
  }

  private static void sensors(List<SensorState> sensors, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < sensors.size(); i++) {
      SensorState s = sensors.get(i);
      if (i > 0) {
        out.append(',');
      }
      new JsonFields(out)
          .str("name", s.getName())
          .str("source", s.getSource())
          .raw("degraded", b -> b.append(s.getDegraded()))
          .str("reason", s.getReason())
          .end();
    }
    out.append(']');
  }

  private static void counters(AgentCounters c, StringBuilder out) {
    new JsonFields(out)
        .raw("produced", b -> b.append(Long.toUnsignedString(c.getProduced())))
        .raw("spooled", b -> b.append(Long.toUnsignedString(c.getSpooled())))
        .raw("sent", b -> b.append(Long.toUnsignedString(c.getSent())))
        .raw("acked", b -> b.append(Long.toUnsignedString(c.getAcked())))
        .raw("lost_unacked", b -> b.append(Long.toUnsignedString(c.getLostUnacked())))
        .raw("dropped", b -> counts(c.getDroppedMap(), b))
        .end();
  }

  private static void captures(List<CaptureCounters> captures, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < captures.size(); i++) {
      CaptureCounters c = captures.get(i);
      if (i > 0) {
        out.append(',');
      }
      new JsonFields(out)
          .str("interface", c.getInterface())
          .raw("received", b -> b.append(Long.toUnsignedString(c.getReceived())))
          .raw("dropped_by_kernel", b -> b.append(Long.toUnsignedString(c.getDroppedByKernel())))
          .raw(
              "dropped_by_interface",
              b -> b.append(Long.toUnsignedString(c.getDroppedByInterface())))
          .raw("decoded", b -> b.append(Long.toUnsignedString(c.getDecoded())))
          .raw("malformed", b -> counts(c.getMalformedMap(), b))
          .raw("flows_evicted", b -> b.append(Long.toUnsignedString(c.getFlowsEvicted())))
          .end();
    }
    out.append(']');
  }

  private static void tampers(List<TamperNotice> tampers, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < tampers.size(); i++) {
      TamperNotice t = tampers.get(i);
      if (i > 0) {
        out.append(',');
      }
      new JsonFields(out)
          .str("kind", t.getKind())
          .str("detail", t.getDetail())
          .num("detected_ns", t.getDetectedNs())
          .raw("restored", b -> b.append(t.getRestored()))
          .end();
    }
    out.append(']');
  }

  private static void counts(Map<String, Long> counts, StringBuilder out) {
    JsonFields f = new JsonFields(out);
    new TreeMap<>(counts).forEach((k, v) -> f.raw(k, b -> b.append(Long.toUnsignedString(v))));
    f.end();
  }

  private static void strings(List<String> items, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      JsonStrings.quote(items.get(i), out);
    }
    out.append(']');
  }

  /** JSON has no NaN or infinity: those become 0. */
  private static String finite(double d) {
    return Double.isFinite(d) ? Double.toString(d) : "0";
  }
}
