package io.vigil.agent.sensor.process.procfs;

import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} this package uses. Stateless parsing; thread-safe.
 *
 * @param state field 3
 * @param ppid field 4
 * @param ttyNr field 7, the encoded device number of the controlling terminal
 * @param startTicks field 22
 */
record StatLine(char state, int ppid, int ttyNr, long startTicks) {

  /**
   * Parses one {@code stat} line, or empty when it does not have the expected shape. The command
   * name (field 2) is in parentheses and is chosen by the process, so it may hold spaces and
   * parentheses itself; the kernel writes no ')' after it, so the fields after the LAST ')' start
   * with field 3.
   */
  static Optional<StatLine> parse(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] f = stat.substring(close + 1).trim().split(" +");
    // f[0] is field 3, so field n is f[n - 3].
    if (f.length < 20 || f[0].length() != 1) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new StatLine(
              f[0].charAt(0),
              Integer.parseInt(f[1]),
              Integer.parseInt(f[4]),
              Long.parseLong(f[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
