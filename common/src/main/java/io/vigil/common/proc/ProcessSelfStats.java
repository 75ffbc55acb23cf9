package io.vigil.common.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and memory of this process from {@code /proc/self/stat} and {@code /proc/self/status},
 * for the agent's status event and self-metrics.
 *
 * <p>Thread-safe (immutable). {@link #sample()} reads two small procfs files; the constructor runs
 * {@code getconf CLK_TCK} once (falling back to 100, the value on every mainstream Linux build).
 */
public final class ProcessSelfStats {
  private static final long DEFAULT_TICKS = 100;

  private final Path procSelf;
  private final long ticksPerSecond;

  /** Reads {@code /proc/self} with the kernel's tick rate. */
  public ProcessSelfStats() {
    this(Path.of("/proc/self"), clockTicks());
  }

  /**
   * Reads {@code stat} and {@code status} under {@code procSelf} (a fixture directory in tests).
   */
  public ProcessSelfStats(Path procSelf, long ticksPerSecond) {
    if (ticksPerSecond <= 0) {
      throw new IllegalArgumentException("ticksPerSecond must be positive: " + ticksPerSecond);
    }
    this.procSelf = procSelf;
    this.ticksPerSecond = ticksPerSecond;
  }

  /**
   * One reading.
   *
   * @param monotonicNanos {@link System#nanoTime()} when taken, for rates
   * @param cpuSeconds user plus system CPU time since the process started
   * @param rssBytes resident set size ({@code VmRSS})
   * @param rssAnonBytes anonymous resident memory ({@code RssAnon}): heap and stacks, not mapped
   *     files such as Chronicle Queue cycle files
   */
  public record Sample(long monotonicNanos, double cpuSeconds, long rssBytes, long rssAnonBytes) {}

  /**
   * Reads the current values.
   *
   * @throws IOException when procfs cannot be read or has an unexpected format
   */
  public Sample sample() throws IOException {
    long now = System.nanoTime();
    String stat = Files.readString(procSelf.resolve("stat"), StandardCharsets.US_ASCII);
    // The command name (field 2) is in parentheses and may itself hold spaces and ')'; the
    // fields after the last ')' start with field 3 (state), so utime (14) is at index 11.
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IOException("unexpected format of " + procSelf.resolve("stat"));
    }
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    if (fields.length < 13) {
      throw new IOException("too few fields in " + procSelf.resolve("stat"));
    }
    long ticks;
    try {
      ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (NumberFormatException e) {
      throw new IOException("bad utime/stime in " + procSelf.resolve("stat"), e);
    }
    long rss = -1;
    long anon = -1;
    for (String line : Files.readAllLines(procSelf.resolve("status"), StandardCharsets.UTF_8)) {
      if (line.startsWith("VmRSS:")) {
        rss = kilobytes(line);
      } else if (line.startsWith("RssAnon:")) {
        anon = kilobytes(line);
      }
    }
    if (rss < 0 || anon < 0) {
      throw new IOException("VmRSS or RssAnon missing from " + procSelf.resolve("status"));
    }
    return new Sample(now, (double) ticks / ticksPerSecond, rss, anon);
  }

  /**
   * CPU use between two samples as a percentage of one core (200 = two cores busy), or 0 when no
   * time passed.
   */
  public static double cpuPercentSince(Sample previous, Sample now) {
    long wallNanos = now.monotonicNanos() - previous.monotonicNanos();
    if (wallNanos <= 0) {
      return 0;
    }
    double cpu = Math.max(0, now.cpuSeconds() - previous.cpuSeconds());
    return cpu / (wallNanos / 1e9) * 100.0;
  }

  /** Parses {@code Name: 1234 kB} into bytes. */
  private static long kilobytes(String line) throws IOException {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    try {
      return Long.parseLong(parts[0]) * 1024L;
    } catch (NumberFormatException e) {
      throw new IOException("unexpected /proc status line: " + line, e);
    }
  }

  /**
   * The kernel's clock tick rate (USER_HZ) from {@code getconf CLK_TCK}; 100, the value on every
   * mainstream Linux build, when that fails. Runs a process: call once. Blocks up to five seconds.
   */
  public static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      try (InputStream in = p.getInputStream()) {
        String out = new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim();
        if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
          long ticks = Long.parseLong(out);
          return ticks > 0 ? ticks : DEFAULT_TICKS;
        }
      } finally {
        p.destroy();
      }
    } catch (IOException | NumberFormatException e) {
      return DEFAULT_TICKS;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_TICKS;
  }
}
