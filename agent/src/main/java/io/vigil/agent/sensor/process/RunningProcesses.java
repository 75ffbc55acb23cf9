package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.CommandLines;
import io.vigil.agent.sensor.process.table.UserNames;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every process running now, described as a {@code ProcessExec} read from {@code /proc} with the
 * fields the sensor's {@code proc} events carry (arguments, credentials, cwd, tty, container,
 * executable hashes), for an on-demand snapshot of the host. Entity ids agree with the process
 * sensor's: a process the sensor's {@link ProcessDirectory} knows with the same start time keeps
 * the id the sensor gave it (which counts execs without fork), others get {@code EntityIds.of(boot,
 * pid, start)}, as the sensor gives a process it finds running. Kernel threads are left out. The
 * table is only read, never changed.
 *
 * <p>Thread-safe apart from {@link #list}, which one thread calls at a time (it keeps a small cache
 * of parents for the listing). Blocks on {@code /proc} reads and hashing (cached by file version).
 */
public final class RunningProcesses {
  /** Parents remembered within one listing when the directory does not know them. */
  private static final int PARENT_CACHE = 1024;

  private final ProcessDirectory directory;
  private final Path procRoot;
  private final ProcReader reader;
  private final BootTime boot;
  private final UserNames names;
  private final ExecutableFacts facts;

  /**
   * Reads the real host: {@code /proc}, {@code /etc/passwd}, {@code /etc/group}, with the default
   * argument and hash limits.
   *
   * @param directory the process sensor's table ({@code ProcessSensor.directory()}), or one that
   *     knows nothing when the sensor does not run
   * @throws IOException when the boot id or boot time cannot be read
   */
  public RunningProcesses(ProcessDirectory directory) throws IOException {
    this(
        directory,
        Path.of("/proc"),
        UserNames.system(),
        new ExecutableHashes(
            ExecutableHashes.DEFAULT_MAX_BYTES, ExecutableHashes.DEFAULT_CACHE_ENTRIES));
  }

  /**
   * @param procRoot {@code /proc}, or a fixture directory
   * @throws IOException when the boot id or boot time cannot be read from {@code procRoot}
   */
  public RunningProcesses(
      ProcessDirectory directory, Path procRoot, UserNames names, ExecutableHashes hashes)
      throws IOException {
    this.directory = directory;
    this.procRoot = procRoot;
    this.reader = new ProcReader(procRoot, ProcReader.DEFAULT_MAX_ARGV_BYTES);
    this.boot = BootTime.read(procRoot, ProcessSelfStats.clockTicks());
    this.names = names;
    this.facts = new ExecutableFacts(procRoot, hashes);
  }

  /**
   * What one listing found.
   *
   * @param processes processes given to the consumer
   * @param kernelThreads kernel threads left out
   * @param truncated more processes were running than {@code max}
   */
  public record Listing(int processes, int kernelThreads, boolean truncated) {}

  /**
   * Reads every running process and hands each to {@code out} as it is read (nothing is gathered
   * first: memory stays bounded by one process).
   *
   * @param source the events' {@code ProcessExec.source}, e.g. {@code "snapshot"}
   * @param max processes handed over at most
   * @throws IOException when {@code /proc} cannot be listed
   */
  public Listing list(String source, int max, Consumer<ProcessExec> out) throws IOException {
    Map<Integer, ProcessRef> parents =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, ProcessRef> e) {
            return size() > PARENT_CACHE;
          }
        };
    int count = 0;
    int kernelThreads = 0;
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(procRoot)) {
      for (Path p : dir) {
        int pid = pidOf(p.getFileName().toString());
        if (pid <= 0) {
          continue;
        }
        Optional<ProcSnapshot> read = reader.read(pid);
        if (read.isEmpty()) {
          continue; // exited while we listed
        }
        ProcSnapshot s = read.get();
        if (pid == ProcConnectorEvents.KTHREADD || s.ppid() == ProcConnectorEvents.KTHREADD) {
          kernelThreads++;
          continue;
        }
        if (count == max) {
          return new Listing(count, kernelThreads, true);
        }
        ProcessExec.Builder exec = ProcExecFields.of(s, source, names, facts);
        exec.setProcess(ref(s, s.argv().commandLine()));
        exec.setParent(parent(s.ppid(), parents));
        out.accept(exec.build());
        count++;
      }
    }
    return new Listing(count, kernelThreads, false);
  }

  /** The process as the sensor would name it; its entity id from the directory when it agrees. */
  private ProcessRef ref(ProcSnapshot s, String commandLine) {
    long startNs = boot.startTimeNanos(s.startTicks());
    String entityId =
        directory
            .find(s.pid())
            .filter(r -> r.getStartTimeNs() == startNs && !r.getEntityId().isEmpty())
            .map(ProcessRef::getEntityId)
            .orElseGet(() -> boot.entityId(s.pid(), s.startTicks()));
    ProcessRef.Builder b =
        ProcessRef.newBuilder()
            .setEntityId(entityId)
            .setPid(s.pid())
            .setImage(s.exe())
            .setCommandLine(commandLine)
            .setStartTimeNs(startNs);
    s.credentials().ifPresent(c -> b.setUid((int) c.uid()).setUser(names.user(c.uid())));
    return b.build();
  }

  /** The parent read from {@code /proc} (command line cut as the table cuts it), else its pid. */
  private ProcessRef parent(int ppid, Map<Integer, ProcessRef> cache) {
    if (ppid <= 0) {
      return ProcessRef.getDefaultInstance();
    }
    ProcessRef cached = cache.get(ppid);
    if (cached != null) {
      return cached;
    }
    ProcessRef ref =
        reader
            .read(ppid)
            .map(
                s ->
                    ref(
                        s,
                        CommandLines.bound(s.argv().commandLine(), CommandLines.TABLE_MAX_BYTES)))
            .orElseGet(() -> ProcessRef.newBuilder().setPid(ppid).build());
    cache.put(ppid, ref);
    return ref;
  }

  private static int pidOf(String name) {
    if (name.isEmpty() || name.length() > 10 || !name.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    long pid = Long.parseLong(name);
    return pid <= Integer.MAX_VALUE ? (int) pid : -1;
  }
}
