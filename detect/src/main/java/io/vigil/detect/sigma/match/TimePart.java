package io.vigil.detect.sigma.match;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalField;

/**
 * The time modifiers ({@code minute}, {@code hour}, {@code day}, {@code week}, {@code month},
 * {@code year}): the number they take from a timestamp value, in UTC since the spec does no
 * time-zone conversion. Timestamps are ISO-8601 text ({@code 2024-03-01T10:15:30Z}, with or without
 * an offset, {@code T} or a blank) or epoch numbers, whose unit is read from their size (seconds,
 * milliseconds, microseconds or nanoseconds).
 */
enum TimePart {
  MINUTE(ChronoField.MINUTE_OF_HOUR),
  HOUR(ChronoField.HOUR_OF_DAY),
  DAY(ChronoField.DAY_OF_MONTH),
  WEEK(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
  MONTH(ChronoField.MONTH_OF_YEAR),
  YEAR(ChronoField.YEAR);

  private final TemporalField field;

  TimePart(TemporalField field) {
    this.field = field;
  }

  /** The part as a Long, or null when the value is not a timestamp. */
  Long extract(Object value) {
    LocalDateTime t = toUtc(value);
    return t == null ? null : (long) t.get(field);
  }

  private static LocalDateTime toUtc(Object value) {
    if (value instanceof Long || value instanceof Integer) {
      return fromEpoch(((Number) value).longValue());
    }
    if (!(value instanceof String s) || s.length() > 64) {
      return null;
    }
    String t = s.strip().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(t).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    } catch (DateTimeParseException e) {
      // not with an offset; try without one
    }
    try {
      return LocalDateTime.parse(t);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static LocalDateTime fromEpoch(long n) {
    long abs = Math.abs(n);
    Instant i;
    if (abs < 100_000_000_000L) {
      i = Instant.ofEpochSecond(n);
    } else if (abs < 100_000_000_000_000L) {
      i = Instant.ofEpochMilli(n);
    } else if (abs < 100_000_000_000_000_000L) {
      i = Instant.ofEpochSecond(n / 1_000_000, (n % 1_000_000) * 1000);
    } else {
      i = Instant.ofEpochSecond(n / 1_000_000_000, n % 1_000_000_000);
    }
    return LocalDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
