package io.vigil.agent.sensor.process.procfs;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads one process from procfs into a {@link ProcSnapshot}.
 *
 * <p>Thread-safe: its only state is a concurrent cache of container ids and a per-thread {@code
 * stat} buffer. {@link #read} blocks on a handful of small procfs reads. Best effort by design: the
 * process may exit at any moment, and some files (e.g. {@code exe}, {@code cwd} of another user's
 * process without {@code CAP_SYS_PTRACE}) may be unreadable; such a field is left empty rather than
 * failing the whole read.
 */
public final class ProcReader {
  /** Default limit on the bytes of {@code cmdline} decoded into arguments. */
  public static final int DEFAULT_MAX_ARGV_BYTES = 32 * 1024;

  /** {@code status} and {@code cgroup} are a few KiB; bound them anyway. */
  private static final int MAX_SMALL_FILE_BYTES = 64 * 1024;

  private static final String DELETED = " (deleted)";

  /** A {@code stat} line is under 1 KiB (52 numbers and a 16-byte name); room to spare. */
  private static final int STAT_BUFFER_BYTES = 4096;

  /** Distinct {@code cgroup} texts (at most 4 KiB each) whose container id is remembered. */
  private static final int CONTAINER_CACHE_ENTRIES = 256;

  /** Per-thread buffer for {@code stat}: the fork path reads one per process. */
  private static final ThreadLocal<byte[]> STAT_BUFFER =
      ThreadLocal.withInitial(() -> new byte[STAT_BUFFER_BYTES]);

  private final Path procRoot;
  private final String procPrefix;
  private final int maxArgvBytes;

  /**
   * Container id by {@code cgroup} text: the processes of a host share a handful of cgroups, and
   * the regex scan is the costly part of finding the id.
   */
  private final Map<String, String> containerIds = new ConcurrentHashMap<>();

  /** Reads the real {@code /proc} with the default argv limit. */
  public ProcReader() {
    this(Path.of("/proc"), DEFAULT_MAX_ARGV_BYTES);
  }

  /**
   * Reads {@code procRoot/PID/...} (a fixture directory in tests).
   *
   * @param maxArgvBytes bytes of {@code cmdline} kept before the arguments are marked truncated
   */
  public ProcReader(Path procRoot, int maxArgvBytes) {
    if (maxArgvBytes <= 0) {
      throw new IllegalArgumentException("maxArgvBytes must be positive: " + maxArgvBytes);
    }
    this.procRoot = procRoot;
    this.procPrefix = procRoot.toString() + "/";
    this.maxArgvBytes = maxArgvBytes;
  }

  /**
   * Reads process {@code pid}, or empty when it does not exist (any more) or its pid was reused
   * while it was being read. Never throws for a vanished or unreadable process.
   */
  public Optional<ProcSnapshot> read(int pid) {
    Path dir = procRoot.resolve(Integer.toString(pid));
    Optional<StatLine> stat = readStat(pid);
    if (stat.isEmpty()) {
      return Optional.empty();
    }
    String exe = readLink(dir.resolve("exe"));
    boolean deleted = exe.endsWith(DELETED);
    exe = withoutDeletedSuffix(exe);
    ProcSnapshot.Argv argv = readArgv(dir.resolve("cmdline"));
    String cwd = readLink(dir.resolve("cwd"));
    Optional<ProcSnapshot.Credentials> creds =
        readText(dir.resolve("status")).flatMap(Status::credentials);
    OptionalLong loginUid = readUnsigned(dir.resolve("loginuid"));
    OptionalLong sessionId = readUnsigned(dir.resolve("sessionid"));
    String containerId = readText(dir.resolve("cgroup")).map(this::containerId).orElse("");
    // If the pid now names a different process, some of the files above may be the newcomer's.
    Optional<StatLine> again = readStat(pid);
    if (again.isPresent() && again.get().startTicks() != stat.get().startTicks()) {
      return Optional.empty();
    }
    StatLine s = stat.get();
    return Optional.of(
        new ProcSnapshot(
            pid,
            exe,
            deleted,
            argv,
            cwd,
            s.ppid(),
            s.state(),
            s.startTicks(),
            TtyNames.of(s.ttyNr()),
            creds,
            loginUid,
            sessionId,
            containerId));
  }

  /**
   * Only what an exec needs that audit does not report (start ticks, {@code exe}, container id):
   * four small reads instead of {@link #read}'s nine and its argv. Empty when the process is gone
   * or its pid was reused while it was being read. Never throws for a vanished or unreadable
   * process.
   */
  public Optional<LiveImage> readImage(int pid) {
    Optional<StatLine> stat = readStat(pid);
    if (stat.isEmpty()) {
      return Optional.empty();
    }
    Path dir = procRoot.resolve(Integer.toString(pid));
    String exe = withoutDeletedSuffix(readLink(dir.resolve("exe")));
    String containerId = readText(dir.resolve("cgroup")).map(this::containerId).orElse("");
    long ticks = stat.get().startTicks();
    OptionalLong again = startTicks(pid);
    if (again.isPresent() && again.getAsLong() != ticks) {
      return Optional.empty();
    }
    return Optional.of(new LiveImage(pid, ticks, exe, containerId));
  }

  /**
   * Only the start time of {@code pid} in clock ticks after boot (one small read of {@code stat}),
   * or empty when the process is gone. For callers that track many processes and need just the
   * (pid, start) identity.
   */
  public OptionalLong startTicks(int pid) {
    Optional<StatLine> s = readStat(pid);
    return s.isPresent() ? OptionalLong.of(s.get().startTicks()) : OptionalLong.empty();
  }

  /**
   * The parsed {@code stat} line of {@code pid} (one small read), or empty when the process is
   * gone. For callers that need its state, parent or flags.
   */
  public Optional<StatLine> stat(int pid) {
    return readStat(pid);
  }

  /**
   * An {@code exe} link target without the {@code " (deleted)"} the kernel appends once the file
   * was unlinked, the way {@link ProcSnapshot#exe} and {@link LiveImage#exe} report it. (A path
   * that really ends in that text is indistinguishable; the kernel gives no other sign.)
   */
  public static String withoutDeletedSuffix(String exeLink) {
    return exeLink.endsWith(DELETED)
        ? exeLink.substring(0, exeLink.length() - DELETED.length())
        : exeLink;
  }

  /** One read into a per-thread buffer, parsed in place: no path objects, no text copy. */
  private Optional<StatLine> readStat(int pid) {
    byte[] buf = STAT_BUFFER.get();
    int n = 0;
    try (FileInputStream in = new FileInputStream(procPrefix + pid + "/stat")) {
      int r;
      while (n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0) {
        n += r;
      }
    } catch (IOException e) {
      return Optional.empty(); // gone, or ESRCH from a process exiting under us
    }
    return StatLine.parse(buf, n);
  }

  private String containerId(String cgroup) {
    String cached = containerIds.get(cgroup);
    if (cached != null) {
      return cached;
    }
    String id = ContainerIds.fromCgroup(cgroup);
    if (cgroup.length() <= 4096) {
      if (containerIds.size() >= CONTAINER_CACHE_ENTRIES) {
        containerIds.clear(); // cgroups churn only with containers; starting over is cheap
      }
      containerIds.put(cgroup, id);
    }
    return id;
  }

  private ProcSnapshot.Argv readArgv(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(maxArgvBytes + 1); // one more byte tells whether it was cut
      return CmdlineDecoder.decode(b, b.length, maxArgvBytes);
    } catch (IOException e) {
      return new ProcSnapshot.Argv(List.of(), false);
    }
  }

  /**
   * The executable path of {@code pid} without the " (deleted)" suffix, {@code ""} if unreadable.
   */
  public String exe(int pid) {
    return withoutDeletedSuffix(readLink(procRoot.resolve(Integer.toString(pid)).resolve("exe")));
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return "";
    }
  }

  private static OptionalLong readUnsigned(Path file) {
    return readText(file)
        .map(String::trim)
        .flatMap(
            t -> {
              try {
                return Optional.of(Long.parseLong(t));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            })
        .filter(v -> v >= 0 && v <= 0xFFFFFFFFL)
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  /** The start of a small text file, or empty when it is gone or unreadable. */
  private static Optional<String> readText(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return Optional.of(new String(in.readNBytes(MAX_SMALL_FILE_BYTES), StandardCharsets.UTF_8));
    } catch (IOException e) {
      // Gone, permission denied, or ESRCH from a process exiting under us: same outcome.
      return Optional.empty();
    }
  }
}
