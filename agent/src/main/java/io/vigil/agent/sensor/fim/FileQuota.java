package io.vigil.agent.sensor.fim;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@code max_files} is shared among the configured patterns, so that one pattern whose tree any
 * local user can fill (200,000 files in {@code ~/.ssh} under {@code /home/*}{@code /.ssh}) cannot
 * starve the others ({@code /etc/cron.d}), while a pattern that legitimately needs more than an
 * equal part can still have what the others leave unused.
 *
 * <p>The design: each of the {@code n} configured patterns is guaranteed half an equal share,
 * {@code g = ceil(max / n / 2)} paths: until it has {@code g}, the room it lacks is reserved for it
 * ({@code g - used}). A path is counted only if the room left after it still covers every reserve,
 * so that {@code counted + reserves <= max} always holds and every pattern can always reach {@code
 * g}, however many paths another pattern has taken and whichever the walk met first. All other
 * room, the unused half of every share included, is available to any pattern, first come: a pattern
 * that legitimately needs more than {@code max / n} (a large {@code /usr} next to a small {@code
 * /etc}) can have it. Paths without a pattern (baseline entries of an older scope, owner -1) hold
 * no reserve and take only unreserved room. Which pattern owns a path is {@link FimScope#owner}:
 * the first configured pattern that monitors it.
 *
 * <p>Example, the default 11 patterns and 50,000 paths: {@code g} is 2,273; a flooded {@code
 * /home/*}{@code /.ssh} takes at most 50,000 minus the other ten patterns' reserves, and an {@code
 * /etc} of 2,000 files can still gain 273 paths however full the rest is (and more while the
 * unreserved room lasts).
 *
 * <p>One quota counts a baseline's entries, another the paths one walk meets. Not thread-safe (the
 * sensor's worker thread).
 */
final class FileQuota {
  private final int max;
  private final int[] used;
  private final boolean[] refused;
  private long total;
  private final int guaranteed;
  private long reserves; // the sum of reserve(used[i])

  /**
   * @param max paths counted at most
   * @param patterns configured patterns (at least 1)
   */
  FileQuota(int max, int patterns) {
    this.max = max;
    int n = Math.max(1, patterns);
    this.guaranteed = (max / n + 1) / 2;
    this.used = new int[n];
    this.refused = new boolean[n];
    this.reserves = (long) guaranteed * n;
  }

  private long reserve(int u) {
    return Math.max(0, guaranteed - u);
  }

  /** A quota counting the entries of {@code baseline}, each owned as {@code scope} says. */
  static FileQuota of(Baseline baseline, FimScope scope, int max) {
    FileQuota q = new FileQuota(max, scope.patterns().size());
    for (String path : baseline.paths()) {
      q.add(scope.owner(path));
    }
    return q;
  }

  /** Whether one more path of {@code owner} (-1: none) may be counted; a refusal is remembered. */
  boolean admits(int owner) {
    long after = owner >= 0 ? reserves - reserve(used[owner]) + reserve(used[owner] + 1) : reserves;
    boolean ok = total + 1 + after <= max;
    if (!ok && owner >= 0) {
      refused[owner] = true;
    }
    return ok;
  }

  /** Counts one path of {@code owner} (-1: none). */
  void add(int owner) {
    if (owner >= 0) {
      reserves -= reserve(used[owner]);
      used[owner]++;
      reserves += reserve(used[owner]);
    }
    total++;
  }

  /** Stops counting one path of {@code owner} (-1: none). */
  void remove(int owner) {
    if (owner >= 0 && used[owner] > 0) {
      reserves -= reserve(used[owner]);
      used[owner]--;
      reserves += reserve(used[owner]);
    }
    if (total > 0) {
      total--;
    }
  }

  /** No path at all can be counted any more. */
  boolean full() {
    return total >= max;
  }

  /** Paths of {@code owner} counted. */
  int used(int owner) {
    return used[owner];
  }

  /** The patterns (of {@code names}, indexed as owners) that had a path refused. */
  List<String> refused(List<String> names) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < refused.length && i < names.size(); i++) {
      if (refused[i]) {
        out.add(names.get(i));
      }
    }
    return out;
  }
}
