package io.vigil.agent.spool;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import net.openhft.chronicle.queue.RollCycle;

/**
 * Where each cycle file's entries start: the seq and Chronicle index of its first entry. Since seq
 * is contiguous and Chronicle indices are contiguous within a cycle, this turns "the entry with seq
 * s" into one {@code moveToIndex} without scanning.
 *
 * <p>Thread-safe: the writer adds and removes cycles, readers look them up concurrently.
 */
final class CycleIndex {
  /** First entry of a cycle. */
  record Start(int cycle, long firstSeq, long firstIndex) {}

  private final ConcurrentSkipListMap<Integer, Start> byCycle = new ConcurrentSkipListMap<>();
  private final RollCycle rollCycle;
  private final long epochMillis;
  private final DateTimeFormatter fileNames;

  CycleIndex(RollCycle rollCycle, long epochMillis) {
    this.rollCycle = rollCycle;
    this.epochMillis = epochMillis;
    // Chronicle names a cycle file by formatting the cycle's start instant in UTC.
    this.fileNames = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
  }

  void add(Start start) {
    byCycle.putIfAbsent(start.cycle(), start);
  }

  void remove(int cycle) {
    byCycle.remove(cycle);
  }

  Start get(int cycle) {
    return byCycle.get(cycle);
  }

  /** The cycle holding {@code seq}, or null when {@code seq} is before the first remaining one. */
  Start floor(long seq) {
    for (Map.Entry<Integer, Start> e : byCycle.descendingMap().entrySet()) {
      if (e.getValue().firstSeq() <= seq) {
        return e.getValue();
      }
    }
    return null;
  }

  /** First seq of the cycle after {@code cycle}, or {@code Long.MAX_VALUE} when it is the last. */
  long nextFirstSeq(int cycle) {
    Map.Entry<Integer, Start> next = byCycle.higherEntry(cycle);
    return next == null ? Long.MAX_VALUE : next.getValue().firstSeq();
  }

  /** The Chronicle index of {@code seq} inside {@code start}'s cycle. */
  static long indexOf(Start start, long seq) {
    return start.firstIndex() + (seq - start.firstSeq());
  }

  int cycleOf(long index) {
    return rollCycle.toCycle(index);
  }

  Path fileOf(Path dir, int cycle) {
    long millis = (long) cycle * rollCycle.lengthInMillis() + epochMillis;
    return dir.resolve(fileNames.format(Instant.ofEpochMilli(millis)) + ".cq4");
  }
}
