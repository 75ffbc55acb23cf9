package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.time.WallClock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time on the command line ({@code --since}, {@code --until}): an age ({@code 90s},
 * {@code 15m}, {@code 1h}, {@code 2d}, {@code 1w}: that long before now), an ISO-8601 instant
 * ({@code 2026-11-28T07:00:00Z}) or a UTC date ({@code 2026-11-28}: its midnight).
 */
final class TimeArg {
  private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhdw])");

  private TimeArg() {}

  /** UTC nanoseconds of {@code value}, ages counted back from {@code nowNs}. */
  static long parse(String option, String value, long nowNs) throws UsageException {
    Matcher m = AGE.matcher(value.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      long unitSeconds =
          switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3600;
            case "d" -> 86_400;
            default -> 604_800;
          };
      try {
        return Math.subtractExact(
            nowNs, Math.multiplyExact(Math.multiplyExact(n, unitSeconds), 1_000_000_000L));
      } catch (ArithmeticException e) {
        throw new UsageException(option + ": " + Shown.text(value) + " is too long ago");
      }
    }
    try {
      return WallClock.toNanos(Instant.parse(value.trim()));
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return WallClock.toNanos(
          LocalDate.parse(value.trim()).atStartOfDay(ZoneOffset.UTC).toInstant());
    } catch (DateTimeParseException e) {
      throw new UsageException(
          option
              + ": expected an age (30s, 15m, 1h, 2d, 1w), an instant (2026-11-28T07:00:00Z) or a"
              + " date (2026-11-28), got \""
              + Shown.text(value)
              + "\"");
    }
  }
}
