package io.vigil.common.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints sizes ({@code 64MiB}, {@code 1g}, {@code 1000}) and durations ({@code 100ms},
 * {@code 1h30m}). Sizes are binary: {@code k}, {@code KiB} = 1024 bytes. Stateless.
 */
public final class Units {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,30}(?:\\.\\d{1,30})?)\\s*([a-zA-Z]*)");
  private static final Pattern DURATION_PART = Pattern.compile("\\G(\\d{1,18})(ns|us|ms|s|m|h|d)");
  private static final Map<String, Long> SIZE_UNITS =
      Map.of(
          "", 1L, "b", 1L, "k", 1L << 10, "kib", 1L << 10, "m", 1L << 20, "mib", 1L << 20, "g",
          1L << 30, "gib", 1L << 30, "t", 1L << 40, "tib", 1L << 40);
  private static final String[] SIZE_NAMES = {"TiB", "GiB", "MiB", "KiB"};
  private static final long[] SIZE_FACTORS = {1L << 40, 1L << 30, 1L << 20, 1L << 10};

  private Units() {}

  /**
   * Parses a size in bytes.
   *
   * @throws IllegalArgumentException when the text is not a non-negative whole number of bytes with
   *     an optional unit (b, k/KiB, m/MiB, g/GiB, t/TiB, case-insensitive), or overflows
   */
  public static long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: " + text);
    }
    Long factor = SIZE_UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
    if (factor == null) {
      throw new IllegalArgumentException("unknown size unit: " + m.group(2));
    }
    try {
      return new BigDecimal(m.group(1))
          .multiply(BigDecimal.valueOf(factor))
          .stripTrailingZeros()
          .longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("not a whole number of bytes below 8EiB: " + text, e);
    }
  }

  /**
   * Parses a duration: {@code 0}, or one or more parts each a whole number with a unit among ns,
   * us, ms, s, m, h, d (e.g. {@code 1h30m}).
   *
   * @throws IllegalArgumentException when malformed or too large for {@link Duration}
   */
  public static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION_PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(part(n, m.group(2)));
        end = m.end();
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration too large: " + text, e);
    }
    if (end == 0 || end != t.length()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    return total;
  }

  private static Duration part(long n, String unit) {
    switch (unit) {
      case "ns":
        return Duration.ofNanos(n);
      case "us":
        return Duration.ofNanos(Math.multiplyExact(n, 1000L));
      case "ms":
        return Duration.ofMillis(n);
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      default:
        return Duration.ofDays(n);
    }
  }

  /**
   * Prints a size for people and config alike, the one byte formatter: in the largest binary unit
   * it reaches, exactly when that unit divides it ({@code 64MiB}, which {@link #parseBytes} reads
   * back), else rounded to one decimal ({@code 83.9MiB}, {@code 38.4GiB}); below 1 KiB or negative,
   * the plain number.
   */
  public static String formatBytes(long bytes) {
    for (int i = 0; i < SIZE_FACTORS.length; i++) {
      // From 0.99995 of a unit up: 1023.96KiB would otherwise print as 1024.0KiB.
      if (bytes >= SIZE_FACTORS[i] - SIZE_FACTORS[i] / 20480) {
        return bytes % SIZE_FACTORS[i] == 0
            ? bytes / SIZE_FACTORS[i] + SIZE_NAMES[i]
            : String.format(Locale.ROOT, "%.1f%s", (double) bytes / SIZE_FACTORS[i], SIZE_NAMES[i]);
      }
    }
    return Long.toString(bytes);
  }

  /** Prints a duration with the largest unit that divides it, e.g. {@code 500ms}, {@code 2m}. */
  public static String formatDuration(Duration d) {
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException e) {
      return d.toDays() + "d";
    }
    long[] factors = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < factors.length; i++) {
      if (nanos != 0 && nanos % factors[i] == 0) {
        return nanos / factors[i] + names[i];
      }
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    return nanos % 1000L == 0 ? nanos / 1000L + "us" : nanos + "ns";
  }
}
