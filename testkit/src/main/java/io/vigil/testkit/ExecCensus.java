package io.vigil.testkit;

import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.ProcessExec;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * Counts, in a collector's store, the exec events of a numbered workload: processes started as
 * {@code <binary> <prefix><i>} for i in 1..n. An event counts as complete when its argv is exactly
 * two arguments, the second one {@code <prefix><i>}, and it is not marked truncated. Used by {@code
 * bench/exec-storm/run.sh}, which has no sqlite3 or protobuf decoder of its own.
 *
 * <p>Prints one line: {@code complete=<distinct i found> duplicates=<events for an i seen before>
 * incomplete=<events with the prefix but not the full argv> stored_execs=<all exec events>
 * gaps=<Gap events stored>}.
 */
public final class ExecCensus {
  private ExecCensus() {}

  /** {@code ExecCensus <path to vigil.db> <prefix> <n>}. */
  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: ExecCensus DB PREFIX N");
      System.exit(2);
    }
    String prefix = args[1];
    int n = Integer.parseInt(args[2]);
    StoreProbe store = new StoreProbe(Path.of(args[0]));
    List<ProcessExec> all = store.execs(x -> true);
    BitSet seen = new BitSet();
    long duplicates = 0;
    long incomplete = 0;
    for (ProcessExec x : all) {
      if (x.getArgsList().stream().noneMatch(a -> a.contains(prefix))) {
        continue;
      }
      int i = numberOf(x, prefix);
      if (i < 1 || i > n || x.getArgsTruncated()) {
        incomplete++;
      } else if (seen.get(i)) {
        duplicates++;
      } else {
        seen.set(i);
      }
    }
    System.out.printf(
        "complete=%d duplicates=%d incomplete=%d stored_execs=%d gaps=%d%n",
        seen.cardinality(),
        duplicates,
        incomplete,
        all.size(),
        store.events(EventKind.EVENT_KIND_GAP).size());
  }

  /** The workload number in a complete argv, or -1. */
  static int numberOf(ProcessExec x, String prefix) {
    if (x.getArgsCount() != 2 || !x.getArgs(1).startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(x.getArgs(1).substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
