package io.vigil.agent.sensor.process.procfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This boot's id and wall-clock start, to turn the start ticks of {@code stat} into {@code
 * ProcessRef.start_time_ns} and entity ids.
 *
 * <p>Immutable and thread-safe once read. {@code btime} has one-second resolution, so start times
 * are accurate to about a second; they are the same for every reading of one process, which is what
 * joins need.
 */
public final class BootTime {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final String bootId;
  private final long btimeSeconds;
  private final long ticksPerSecond;

  BootTime(String bootId, long btimeSeconds, long ticksPerSecond) {
    if (ticksPerSecond <= 0) {
      throw new IllegalArgumentException("ticksPerSecond must be positive: " + ticksPerSecond);
    }
    this.bootId = bootId;
    this.btimeSeconds = btimeSeconds;
    this.ticksPerSecond = ticksPerSecond;
  }

  /**
   * Reads {@code btime} from {@code procRoot/stat} and the boot id from {@code
   * procRoot/sys/kernel/random/boot_id}. Blocks briefly on two procfs reads.
   *
   * @param ticksPerSecond the kernel's USER_HZ, e.g. from {@link
   *     io.vigil.common.proc.ProcessSelfStats#clockTicks()}
   * @throws IOException when either file is missing or malformed
   */
  public static BootTime read(Path procRoot, long ticksPerSecond) throws IOException {
    String bootId =
        Files.readString(procRoot.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
            .trim();
    if (bootId.isEmpty()) {
      throw new IOException("empty boot_id under " + procRoot);
    }
    for (String line : Files.readAllLines(procRoot.resolve("stat"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("btime ")) {
        try {
          return new BootTime(bootId, Long.parseLong(line.substring(6).trim()), ticksPerSecond);
        } catch (NumberFormatException e) {
          throw new IOException("bad btime line in " + procRoot.resolve("stat") + ": " + line, e);
        }
      }
    }
    throw new IOException("no btime line in " + procRoot.resolve("stat"));
  }

  /** The boot id, e.g. {@code 04a2cbb7-d64c-4719-bec0-ab8afb76f778}. */
  public String bootId() {
    return bootId;
  }

  /** Wall-clock UTC nanoseconds of a process start given in clock ticks after boot. */
  public long startTimeNanos(long startTicks) {
    // Split into whole seconds and the remainder: ticks * 1e9 overflows after ~3 years' uptime.
    long seconds = startTicks / ticksPerSecond;
    long rest = startTicks % ticksPerSecond;
    return (btimeSeconds + seconds) * NANOS_PER_SECOND + rest * NANOS_PER_SECOND / ticksPerSecond;
  }

  /** The entity id of a process of this boot; see {@link EntityIds}. */
  public String entityId(int pid, long startTicks) {
    return EntityIds.of(bootId, pid, startTicks);
  }
}
