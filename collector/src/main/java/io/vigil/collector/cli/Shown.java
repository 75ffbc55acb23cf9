package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Terminal-safe renderings shared by the {@code vigilctl} views. Stateless. */
final class Shown {
  /** Bound of one short value (a name, a title, a rule id) on a terminal. */
  static final int SHORT = 200;

  /** Bound of one long value (a command line, a note) on a terminal. */
  static final int LONG = 2000;

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Shown() {}

  /** {@code s} escaped for a terminal, at most about {@link #SHORT} chars; "-" for null. */
  static String text(String s) {
    return s == null ? "-" : TerminalText.escape(s, SHORT);
  }

  /** {@code s} escaped for a terminal, at most about {@link #LONG} chars; "-" for null. */
  static String longText(String s) {
    return s == null ? "-" : TerminalText.escape(s, LONG);
  }

  /** UTC, to the second, e.g. {@code 2026-11-28 07:00:01}. */
  static String seconds(long ns) {
    return SECONDS.format(WallClock.toInstant(ns));
  }

  /** UTC, to the millisecond, e.g. {@code 2026-11-28 07:00:01.123Z}. */
  static String millis(long ns) {
    return MILLIS.format(WallClock.toInstant(ns));
  }
}
