package io.vigil.agent.sensor.process.procfs;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} this package uses. Stateless parsing; thread-safe.
 *
 * @param state field 3
 * @param ppid field 4
 * @param ttyNr field 7, the encoded device number of the controlling terminal
 * @param flags field 9, the kernel's {@code PF_*} flags of the process (e.g. {@link #PF_KTHREAD})
 * @param startTicks field 22
 */
public record StatLine(char state, int ppid, int ttyNr, long flags, long startTicks) {
  /** The {@code flags} bit of a kernel thread (include/linux/sched.h). */
  public static final long PF_KTHREAD = 0x00200000L;

  /**
   * True for a kernel thread: it has no user space, no executable, and is not a process to act on.
   */
  public boolean kernelThread() {
    return (flags & PF_KTHREAD) != 0;
  }

  /** Field 22, the last one this record needs. */
  private static final int LAST_FIELD = 22;

  /** Parses one {@code stat} line given as text; see {@link #parse(byte[], int)}. */
  public static Optional<StatLine> parse(String stat) {
    byte[] b = stat.getBytes(StandardCharsets.UTF_8);
    return parse(b, b.length);
  }

  /**
   * Parses the first {@code len} bytes of a {@code stat} file, or empty when they do not have the
   * expected shape. The command name (field 2) is in parentheses and is chosen by the process, so
   * it may hold spaces and parentheses itself; the kernel writes no ')' after it, so the fields
   * after the LAST ')' start with field 3. Scans the bytes in place (no split, no regex): the fork
   * path of the process sensor parses one per process.
   */
  static Optional<StatLine> parse(byte[] b, int len) {
    int close = len - 1;
    while (close >= 0 && b[close] != ')') {
      close--;
    }
    if (close < 0) {
      return Optional.empty();
    }
    char state = 0;
    long ppid = -1;
    long tty = -1;
    long flags = -1;
    int field = 2;
    int i = close + 1;
    while (field < LAST_FIELD) {
      while (i < len && (b[i] == ' ' || b[i] == '\n')) {
        i++;
      }
      if (i >= len) {
        return Optional.empty();
      }
      field++;
      int start = i;
      while (i < len && b[i] != ' ' && b[i] != '\n') {
        i++;
      }
      switch (field) {
        case 3:
          if (i - start != 1) {
            return Optional.empty();
          }
          state = (char) (b[start] & 0xFF);
          break;
        case 4:
          ppid = number(b, start, i, Integer.MIN_VALUE, Integer.MAX_VALUE);
          break;
        case 7:
          tty = number(b, start, i, Integer.MIN_VALUE, Integer.MAX_VALUE);
          break;
        case 9:
          flags = number(b, start, i, 0, 0xFFFFFFFFL);
          break;
        case LAST_FIELD:
          long ticks = number(b, start, i, Long.MIN_VALUE, Long.MAX_VALUE);
          if (ppid == Long.MIN_VALUE
              || tty == Long.MIN_VALUE
              || flags == Long.MIN_VALUE
              || ticks == Long.MIN_VALUE) {
            return Optional.empty();
          }
          return Optional.of(new StatLine(state, (int) ppid, (int) tty, flags, ticks));
        default:
          break;
      }
    }
    return Optional.empty();
  }

  /** A signed decimal within [min, max], or {@link Long#MIN_VALUE} when it is not one. */
  private static long number(byte[] b, int from, int to, long min, long max) {
    boolean negative = from < to && b[from] == '-';
    int i = negative ? from + 1 : from;
    if (i >= to || to - i > 19) {
      return Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return Long.MIN_VALUE;
      }
      v = v * 10 + d;
      if (v < 0) {
        return Long.MIN_VALUE; // overflow
      }
    }
    v = negative ? -v : v;
    return v < min || v > max || (min == Long.MIN_VALUE && v == Long.MIN_VALUE)
        ? Long.MIN_VALUE
        : v;
  }
}
