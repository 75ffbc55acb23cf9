package io.vigil.agent.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What tells one process apart from every other, past and future, on this host: the boot it runs in
 * ({@code /proc/sys/kernel/random/boot_id}) and its start time in clock ticks since that boot
 * (field 22 of {@code /proc/PID/stat}). Both are fixed at fork and, unlike a wall-clock start time,
 * do not move when the clock is stepped (NTP stepping a VM's clock after boot), so pid + identity
 * names exactly one process. Immutable.
 *
 * @param bootId the boot id, lower-case UUID text
 * @param startTicks start time in clock ticks since boot
 */
public record ProcessIdentity(String bootId, long startTicks) {
  /** Linux's USER_HZ, the unit of {@code /proc/PID/stat} times on every architecture it exports. */
  public static final long TICKS_PER_SECOND = 100;

  static final Pattern BOOT_ID = Pattern.compile("[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");

  /**
   * The identity of process {@code pid} as {@code proc} (normally {@code /proc}) shows it; empty
   * when the process is gone or either file cannot be read or parsed.
   */
  public static Optional<ProcessIdentity> read(Path proc, long pid) {
    Optional<String> boot = bootId(proc);
    Optional<Long> ticks = startTicks(proc, pid);
    return boot.isPresent() && ticks.isPresent()
        ? Optional.of(new ProcessIdentity(boot.get(), ticks.get()))
        : Optional.empty();
  }

  /** The current boot id, from {@code <proc>/sys/kernel/random/boot_id}. */
  public static Optional<String> bootId(Path proc) {
    String text = small(proc.resolve("sys/kernel/random/boot_id"));
    if (text == null) {
      return Optional.empty();
    }
    String id = text.strip();
    return BOOT_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
  }

  /**
   * Field 22 (starttime) of {@code <proc>/PID/stat}. The fields are counted after the last {@code
   * )}, since the command name before it may hold spaces and parentheses.
   */
  public static Optional<Long> startTicks(Path proc, long pid) {
    String stat = small(proc.resolve(Long.toString(pid)).resolve("stat"));
    if (stat == null) {
      return Optional.empty();
    }
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] f = stat.substring(close + 1).trim().split(" +");
    // f[0] is field 3 (state), so field 22 is f[19].
    if (f.length < 20) {
      return Optional.empty();
    }
    try {
      long t = Long.parseLong(f[19]);
      return t < 0 ? Optional.empty() : Optional.of(t);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The text form in the run record: {@code boot_id=UUID start_ticks=N}. */
  String recordFields() {
    return "boot_id=" + bootId + " start_ticks=" + startTicks;
  }

  private static String small(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      // stat lines are under 1 KiB; the bound only guards against a strange file.
      return new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
