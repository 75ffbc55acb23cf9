package io.vigil.collector.sink;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formats an alert as one RFC 5424 syslog message with a CEF record as its MSG:
 *
 * <pre>
 * &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID alert [vigil@32473 alert_id="7" agent_id=".."
 * rule_id=".." source=".." level=".."] CEF:0|Vigil|Vigil Collector|..</pre>
 *
 * <ul>
 *   <li>PRI is facility * 8 + the severity of {@link #severity}.
 *   <li>TIMESTAMP is when the collector stored the alert, UTC with microseconds: that is when the
 *       alert came to be, and it keeps a receiver's time order when an agent delivers old events
 *       late (the event's own time is the CEF {@code start}).
 *   <li>MSG has no byte order mark: RFC 5424 asks for one before UTF-8 text, but CEF receivers
 *       (ArcSight, QRadar, Sentinel's agent) recognise a record by {@code CEF:} at the very start
 *       of MSG, and the CEF specification already says the record is UTF-8. The grammar's MSG-ANY
 *       allows it.
 * </ul>
 *
 * The whole message is at most {@code maxBytes} bytes: STRUCTURED-DATA values are bounded, the CEF
 * record gets what is left, and only when the fixed parts alone are longer (a limit far below the
 * 480 bytes every receiver takes) is the message cut, at a character boundary. Immutable,
 * thread-safe.
 */
final class SyslogMessage {
  /**
   * RFC 5612's example enterprise number, the one RFC 5424 examples use: Vigil has no Private
   * Enterprise Number of its own, so receivers should match the SD-ID {@code vigil@32473} as a
   * whole.
   */
  static final String SD_ID = "vigil@32473";

  static final String MSGID = "alert";
  static final int MAX_HOSTNAME = 255;
  static final int MAX_APP_NAME = 48;
  static final int MAX_PROCID = 128;
  static final int MAX_SD_VALUE_BYTES = 128;

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final int facility;
  private final String header; // " HOSTNAME APP-NAME PROCID MSGID "
  private final CefFormatter cef;
  private final int maxBytes;

  /**
   * @param facility 0..23 (see {@link SyslogFacility})
   * @param hostname the collector's host name (made printable US-ASCII, at most 255)
   * @param appName made printable US-ASCII, at most 48
   * @param procId the collector's process id, or null for {@code -}
   * @param version the collector's version, for CEF's Device Version
   */
  SyslogMessage(
      int facility, String hostname, String appName, String procId, String version, int maxBytes) {
    if (facility < 0 || facility > 23) {
      throw new IllegalArgumentException("facility " + facility + " is not 0..23");
    }
    this.facility = facility;
    this.header =
        " "
            + SyslogText.printableAscii(hostname, MAX_HOSTNAME)
            + " "
            + SyslogText.printableAscii(appName, MAX_APP_NAME)
            + " "
            + SyslogText.printableAscii(procId, MAX_PROCID)
            + " "
            + MSGID
            + " ";
    this.cef = new CefFormatter(version);
    this.maxBytes = maxBytes;
  }

  /**
   * Syslog severity of an alert level: critical 2 (crit), high 3 (err), medium 4 (warning), low 5
   * (notice), informational, none or unknown 6 (info). Nothing maps to emerg, alert or debug.
   */
  static int severity(String level) {
    if (level == null) {
      return 6;
    }
    return switch (level.toLowerCase(Locale.ROOT)) {
      case "critical" -> 2;
      case "high" -> 3;
      case "medium" -> 4;
      case "low" -> 5;
      default -> 6;
    };
  }

  /** RFC 3339 UTC with microseconds, or {@code -} when the time has no four-digit year. */
  static String timestamp(long epochNs) {
    Instant t =
        Instant.ofEpochSecond(
            Math.floorDiv(epochNs, 1_000_000_000L), Math.floorMod(epochNs, 1_000_000_000L));
    if (epochNs <= 0 || t.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
      return "-";
    }
    return TIMESTAMP.format(t);
  }

  /** The message as UTF-8 bytes, at most the configured maximum. */
  byte[] format(SinkAlert a) {
    StringBuilder m = new StringBuilder(1024);
    m.append('<').append(facility * 8 + severity(a.level())).append(">1 ");
    m.append(timestamp(a.storedNs())).append(header);
    // Each of the up to five values may take an eighth of what the header leaves, so a small
    // limit still has room for the CEF record.
    int sdValue = Math.max(8, Math.min(MAX_SD_VALUE_BYTES, (maxBytes - m.length()) / 8));
    m.append('[').append(SD_ID);
    param(m, "alert_id", Long.toString(a.id()), 20); // digits, never cut
    param(m, "agent_id", a.agentId(), sdValue);
    param(m, "rule_id", a.ruleId(), sdValue);
    param(m, "source", a.source(), sdValue);
    if (a.level() != null) {
      param(m, "level", a.level(), sdValue);
    }
    m.append("] ");
    int fixed = SyslogText.utf8Length(m.toString());
    m.append(cef.format(a, maxBytes - fixed));
    return SyslogText.cutUtf8(m.toString().getBytes(StandardCharsets.UTF_8), maxBytes);
  }

  private static void param(StringBuilder m, String name, String value, int maxBytes) {
    m.append(' ').append(name).append("=\"");
    m.append(SyslogText.paramValue(value, maxBytes)).append('"');
  }
}
