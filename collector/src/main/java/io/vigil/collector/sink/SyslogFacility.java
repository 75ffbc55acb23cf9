package io.vigil.collector.sink;

import java.util.List;
import java.util.Locale;

/** The syslog facility names of RFC 5424 section 6.2.1 (as rsyslog spells them) and their codes. */
public final class SyslogFacility {
  /** Names in code order: {@code NAMES.get(code)}. */
  public static final List<String> NAMES =
      List.of(
          "kern",
          "user",
          "mail",
          "daemon",
          "auth",
          "syslog",
          "lpr",
          "news",
          "uucp",
          "cron",
          "authpriv",
          "ftp",
          "ntp",
          "security",
          "console",
          "solaris-cron",
          "local0",
          "local1",
          "local2",
          "local3",
          "local4",
          "local5",
          "local6",
          "local7");

  private SyslogFacility() {}

  /**
   * The code (0..23) of a facility name, case-insensitive.
   *
   * @throws IllegalArgumentException for a name not in {@link #NAMES}, with the valid ones
   */
  public static int code(String name) {
    int i = name == null ? -1 : NAMES.indexOf(name.toLowerCase(Locale.ROOT));
    if (i < 0) {
      throw new IllegalArgumentException(
          "unknown syslog facility '" + name + "' (one of " + String.join(", ", NAMES) + ")");
    }
    return i;
  }
}
