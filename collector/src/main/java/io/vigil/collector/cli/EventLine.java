package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FimBaseline;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One line of human-readable text per event, every attacker-controlled part escaped. */
final class EventLine {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final int FIELD_MAX = 160;
  private static final int HASH_CHARS = 12;

  private EventLine() {}

  static String format(String hostname, Event e) {
    String when = TIME.format(WallClock.toInstant(e.getEventTimeNs()));
    return when
        + " "
        + esc(hostname.isEmpty() ? "?" : hostname)
        + " #"
        + e.getSeq()
        + " "
        + e.getPayloadCase().name().toLowerCase(Locale.ROOT)
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
      case FILE -> file(e.getFile());
      case FIM_BASELINE -> baseline(e.getFimBaseline());
      case FIM_SCAN -> scan(e.getFimScan());
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

  /**
   * {@code modify /etc/passwd count=3 sha256=0123456789ab… by /usr/bin/vi pid=42}; a rename shows
   * {@code old → new}, an integrity mismatch what changed.
   */
  private static String file(FileEvent f) {
    StringBuilder b =
        new StringBuilder(f.getAction().name().replace("ACTION_", "").toLowerCase(Locale.ROOT))
            .append(' ');
    if (f.getAction() == FileEvent.Action.ACTION_RENAME || !f.getOldPath().isEmpty()) {
      b.append(esc(f.getOldPath())).append(" → ");
    }
    b.append(esc(f.getPath()));
    if (f.getCount() > 1) {
      b.append(" count=").append(Long.toUnsignedString(f.getCount()));
    }
    if (f.getChangedCount() > 0) {
      b.append(" changed=").append(esc(String.join(",", f.getChangedList())));
    }
    hash(b, "md5", f.getMd5());
    hash(b, "sha1", f.getSha1());
    hash(b, "sha256", f.getSha256());
    if (!f.getHashSkipped().isEmpty()) {
      b.append(" hash_skipped=").append(esc(f.getHashSkipped()));
    }
    ProcessRef p = f.getProcess();
    if (!p.getImage().isEmpty() || p.getPid() != 0) {
      b.append(" by ").append(esc(p.getImage())).append(" pid=").append(p.getPid());
    } else if (!f.getSource().isEmpty()) {
      b.append(" (").append(esc(f.getSource())).append(')');
    }
    return b.toString();
  }

  /** {@code 1f2e… part 2/5 (created) entries=1000}. */
  private static String baseline(FimBaseline b) {
    return esc(b.getBaselineId())
        + " part "
        + Integer.toUnsignedString(b.getPart())
        + "/"
        + Integer.toUnsignedString(b.getParts())
        + " ("
        + esc(b.getReason())
        + ") entries="
        + b.getEntriesCount();
  }

  /** {@code scheduled files=1200 changes=2 digest=abcd…}. */
  private static String scan(FimScan s) {
    StringBuilder b =
        new StringBuilder(esc(s.getTrigger()))
            .append(" files=")
            .append(Long.toUnsignedString(s.getFiles()))
            .append(" changes=")
            .append(Long.toUnsignedString(s.getChanges()));
    if (s.getErrors() > 0) {
      b.append(" errors=").append(Long.toUnsignedString(s.getErrors()));
    }
    if (s.getTruncated()) {
      b.append(" truncated");
    }
    hash(b, "digest", s.getDigest());
    return b.toString();
  }

  /** A hash cut to its first {@value #HASH_CHARS} characters: enough to tell two apart by eye. */
  private static void hash(StringBuilder b, String name, String value) {
    if (value.isEmpty()) {
      return;
    }
    String shown = value.length() <= HASH_CHARS ? value : value.substring(0, HASH_CHARS) + "…";
    b.append(' ').append(name).append('=').append(esc(shown));
  }

  private static String connection(NetworkConnection c) {
    String transport = c.getTransport().name().replace("TRANSPORT_", "").toLowerCase(Locale.ROOT);
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
        + c.getDirection().name().replace("DIRECTION_", "").toLowerCase(Locale.ROOT)
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
