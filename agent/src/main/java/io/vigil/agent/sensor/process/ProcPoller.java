package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lists {@code /proc} and compares (pid, start ticks) with the table: for seeding the table at
 * start, and as the fallback source when the proc connector is unavailable. A poll sees a process
 * only if it lives across a listing, so short-lived processes are missed, and exits found this way
 * have no exit status. An exec within a known process shows as a changed {@code exe} link (one
 * readlink per process per round); only the program running at the listing is seen. Called by one
 * thread at a time; blocks on {@code /proc} reads (one {@code stat} per process per round, a full
 * read per new process).
 */
final class ProcPoller {

  private final Path procRoot;
  private final ProcReader reader;
  private final ProcessTracker tracker;
  private final SnapshotExecs execs;
  private final ExitSettler exits;

  ProcPoller(
      Path procRoot,
      ProcReader reader,
      ProcessTracker tracker,
      SnapshotExecs execs,
      ExitSettler exits) {
    this.procRoot = procRoot;
    this.reader = reader;
    this.tracker = tracker;
    this.execs = execs;
    this.exits = exits;
  }

  /** Adds every running process to the table, parents before children. Emits nothing. */
  int seed() throws IOException {
    List<ProcSnapshot> all = new ArrayList<>();
    for (int pid : pids()) {
      reader.read(pid).ifPresent(all::add);
    }
    // A parent always started before its child, so it is in the table when the child is added.
    all.sort(
        Comparator.comparingLong(ProcSnapshot::startTicks).thenComparingInt(ProcSnapshot::pid));
    for (ProcSnapshot s : all) {
      tracker.discovered(s, s.argv().commandLine());
    }
    return all.size();
  }

  /**
   * One round: exits (status unknown) for processes gone since the last round, then execs (source
   * {@code proc_poll}) for new ones unless {@code emitExecs} is false (audit reports them).
   */
  void poll(EventSink sink, boolean emitExecs) throws IOException {
    Map<Integer, Long> now = new HashMap<>();
    for (int pid : pids()) {
      reader.startTicks(pid).ifPresent(t -> now.put(pid, t));
    }
    long wall = WallClock.nowNanos();
    for (ProcessEntry e : tracker.table().running()) {
      Long ticks = now.get(e.pid());
      if (ticks == null || e.startTicksExact() && ticks != e.startTicks()) {
        Optional<ProcessEntry> gone = tracker.onExit(e.pid(), wall);
        if (!ProcConnectorEvents.isKernelThread(e.pid(), gone)) {
          exits.exited(e.pid(), gone, 0, false, wall);
        }
      }
    }
    for (Map.Entry<Integer, Long> p : now.entrySet()) {
      Optional<ProcessEntry> known = tracker.table().get(p.getKey());
      if (known.isPresent() && !known.get().exited() && known.get().startTicks() == p.getValue()) {
        // The same process; if it runs another program now, it exec'd since the last round.
        String exe = reader.exe(p.getKey());
        if (emitExecs && !exe.isEmpty() && !exe.equals(known.get().image())) {
          SnapshotExecs.Result r = execs.onExec(p.getKey(), WallClock.nowNanos(), "proc_poll");
          if (r.complete()) {
            sink.offer(SensorEvents.exec(WallClock.nowNanos(), r.exec()));
          }
        }
        continue;
      }
      Optional<ProcSnapshot> s = reader.read(p.getKey());
      if (s.isEmpty()) {
        continue; // gone already: it never lived across two listings
      }
      boolean kernelThread = s.get().ppid() == ProcConnectorEvents.KTHREADD || s.get().pid() == 2;
      if (kernelThread || !emitExecs) {
        tracker.discovered(s.get(), s.get().argv().commandLine());
      } else {
        sink.offer(SensorEvents.exec(WallClock.nowNanos(), execs.discovered(s.get())));
      }
    }
  }

  /**
   * The numeric entries of {@code /proc}: one per process (threads live under task/).
   *
   * @throws IOException when {@code /proc} cannot be listed: a round must not conclude from that
   *     that every process exited
   */
  List<Integer> pids() throws IOException {
    List<Integer> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(procRoot)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && name.length() <= 10 && name.chars().allMatch(Character::isDigit)) {
          try {
            out.add(Integer.parseInt(name));
          } catch (NumberFormatException e) {
            // above int range: not a pid
          }
        }
      }
    }
    return out;
  }
}
