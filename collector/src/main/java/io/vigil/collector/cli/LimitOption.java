package io.vigil.collector.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --limit N} (or {@code --limit=N}) option of {@code vigil-collector alerts}, taken out
 * of the arguments before the common command-line parser, which knows only boolean flags.
 *
 * @param limit the value, or {@code def} when not given
 * @param rest the other arguments, in order
 */
public record LimitOption(int limit, String[] rest) {
  private static final String NAME = "--limit";
  private static final int MAX = 1_000_000;

  /**
   * @throws IllegalArgumentException naming the problem when the value is missing, not a number
   *     from 1 to 1000000, or given twice
   */
  public static LimitOption extract(String[] args, int def) {
    List<String> rest = new ArrayList<>();
    Integer limit = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String value;
      if (a.startsWith(NAME + "=")) {
        value = a.substring(NAME.length() + 1);
      } else if (a.equals(NAME)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(NAME + ": missing value");
        }
        value = args[++i];
      } else {
        rest.add(a);
        continue;
      }
      if (limit != null) {
        throw new IllegalArgumentException(NAME + ": given more than once");
      }
      limit = parse(value);
    }
    return new LimitOption(limit == null ? def : limit, rest.toArray(String[]::new));
  }

  private static int parse(String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= MAX) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        NAME + ": expected a number from 1 to " + MAX + ", got \"" + value + "\"");
  }
}
