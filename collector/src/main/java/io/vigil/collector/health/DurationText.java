package io.vigil.collector.health;

/** A duration in the two largest units an operator reads at a glance ("12m", "3h 5m"). */
public final class DurationText {
  private DurationText() {}

  /** {@code ns} rounded down to whole seconds, in at most two units; negative as its magnitude. */
  public static String of(long ns) {
    long s = Math.abs(ns / 1_000_000_000L);
    if (s < 60) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 60) {
      return m + "m" + part(s % 60, "s");
    }
    long h = m / 60;
    if (h < 24) {
      return h + "h" + part(m % 60, "m");
    }
    return h / 24 + "d" + part(h % 24, "h");
  }

  private static String part(long n, String unit) {
    return n == 0 ? "" : " " + n + unit;
  }
}
