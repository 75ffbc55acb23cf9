package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.NetworkConnection;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One line of human-readable text per event, every attacker-controlled part escaped. */
final class EventLine {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final int FIELD_MAX = 160;

  private EventLine() {}

  static String format(String hostname, Event e) {
    String when = TIME.format(WallClock.toInstant(e.getEventTimeNs()));
    return when
        + " "
        + esc(hostname.isEmpty() ? "?" : hostname)
        + " #"
        + e.getSeq()
        + " "
        + e.getPayloadCase().name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + summary(e);
  }

  private static String summary(Event e) {
    return switch (e.getPayloadCase()) {
      case PROCESS_EXEC ->
          "pid="
              + e.getProcessExec().getProcess().getPid()
              + " user="
              + esc(e.getProcessExec().getProcess().getUser())
              + " "
              + esc(e.getProcessExec().getProcess().getCommandLine());
      case PROCESS_EXIT ->
          "pid="
              + e.getProcessExit().getProcess().getPid()
              + " code="
              + e.getProcessExit().getExitCode()
              + " "
              + esc(e.getProcessExit().getProcess().getImage());
      case FILE ->
          e.getFile().getAction().name().replace("ACTION_", "").toLowerCase(java.util.Locale.ROOT)
              + " "
              + esc(e.getFile().getPath())
              + " by "
              + esc(e.getFile().getProcess().getImage());
      case CONNECTION -> connection(e.getConnection());
      case DNS -> esc(e.getDns().getQueryName()) + " " + esc(e.getDns().getQueryType());
      case AUDIT ->
          esc(e.getAudit().getType())
              + (e.getAudit().getResult().isEmpty() ? "" : " " + esc(e.getAudit().getResult()))
              + " pid="
              + e.getAudit().getProcess().getPid()
              + " "
              + esc(e.getAudit().getProcess().getImage());
      case AGENT_STATUS ->
          String.format(
              "cpu=%.1f%% rss=%dMiB spooled=%d acked=%d",
              e.getAgentStatus().getCpuPercent(),
              e.getAgentStatus().getRssBytes() >> 20,
              e.getAgentStatus().getCounters().getSpooled(),
              e.getAgentStatus().getCounters().getAcked());
      case GAP -> gap(e.getGap());
      case COMMAND_RESULT ->
          esc(e.getCommandResult().getCommandId())
              + " "
              + e.getCommandResult().getOutcome()
              + " "
              + esc(e.getCommandResult().getDetail());
      default -> esc(e.toString());
    };
  }

  private static String connection(NetworkConnection c) {
    String transport =
        c.getTransport().name().replace("TRANSPORT_", "").toLowerCase(java.util.Locale.ROOT);
    String owner = " pid=" + c.getProcess().getPid() + " " + esc(c.getProcess().getImage());
    String local = esc(c.getDestinationIp()) + ":" + c.getDestinationPort();
    if (c.getDirection() == NetworkConnection.Direction.DIRECTION_LISTEN) {
      return "listen " + transport + " " + local + owner;
    }
    return esc(c.getSourceIp())
        + ":"
        + c.getSourcePort()
        + " -> "
        + local
        + " "
        + c.getDirection().name().replace("DIRECTION_", "").toLowerCase(java.util.Locale.ROOT)
        + " "
        + transport
        + owner;
  }

  private static String gap(Gap g) {
    return g.getReason()
        + " lost "
        + g.getCount()
        + (g.getFirstSeq() > 0 ? " (seq " + g.getFirstSeq() + ".." + g.getLastSeq() + ")" : "");
  }

  private static String esc(String s) {
    return TerminalText.escape(s, FIELD_MAX);
  }
}
