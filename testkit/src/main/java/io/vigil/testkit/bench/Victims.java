package io.vigil.testkit.bench;

import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.StatLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Processes started for the kill benchmark, and their entity ids computed as the agent's process
 * sensor computes them: from the boot id and the start ticks in {@code /proc/PID/stat} ({@link
 * BootTime#entityId}). The agent's kill action accepts the id of a process's first image, and every
 * victim here is one exec away from its fork. Every process started is killed at {@link #close()},
 * whether the agent killed it or not. Not thread-safe.
 */
final class Victims implements AutoCloseable {
  /** How long a tree victim may take to fork its children before the benchmark gives up. */
  private static final long CHILDREN_WAIT_MS = 10_000;

  private final BootTime boot;
  private final List<Process> started = new ArrayList<>();

  Victims(BootTime boot) {
    this.boot = boot;
  }

  /** A victim: its pid and entity id. */
  record Victim(int pid, String entityId) {}

  /** Starts {@code sleep 600}. */
  Victim sleeper() throws IOException {
    return victim(start("sleep", "600"));
  }

  /**
   * Starts a shell with two {@code sleep 600} children and returns once both are forked, so that a
   * tree kill has three processes to end.
   */
  Victim tree() throws IOException, InterruptedException {
    Process p = start("sh", "-c", "sleep 600 & sleep 600 & wait");
    Path children = Path.of("/proc", Long.toString(p.pid()), "task", Long.toString(p.pid()));
    long deadline = System.nanoTime() + CHILDREN_WAIT_MS * 1_000_000;
    while (Files.readString(children.resolve("children")).trim().split("\\s+").length < 2) {
      if (System.nanoTime() > deadline) {
        throw new IOException("the tree victim " + p.pid() + " did not fork 2 children in 10 s");
      }
      Thread.sleep(5);
    }
    return victim(p);
  }

  private Process start(String... command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    started.add(p);
    return p;
  }

  private Victim victim(Process p) throws IOException {
    int pid = (int) p.pid();
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
    } catch (NoSuchFileException e) {
      throw new IOException("victim " + pid + " exited at once", e);
    }
    StatLine line =
        StatLine.parse(stat)
            .orElseThrow(() -> new IOException("cannot parse /proc/" + pid + "/stat"));
    return new Victim(pid, boot.entityId(pid, line.startTicks()));
  }

  @Override
  public void close() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }
}
