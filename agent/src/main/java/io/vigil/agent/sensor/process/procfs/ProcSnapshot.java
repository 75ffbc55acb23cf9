package io.vigil.agent.sensor.process.procfs;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code /proc/PID} said about one process at one moment. Fields whose file could not be read
 * (permission, process exiting) are empty: {@code ""}, an empty list or an empty optional.
 * Immutable.
 *
 * @param pid process id in the host's pid namespace
 * @param exe executable path from {@code exe}, without the kernel's {@code " (deleted)"} suffix
 * @param exeDeleted the kernel marked the executable as deleted (it was unlinked after exec)
 * @param argv arguments from {@code cmdline}, argv[0] first; see {@link Argv}
 * @param cwd working directory from {@code cwd}
 * @param ppid parent pid (field 4 of {@code stat})
 * @param state one-letter state (field 3 of {@code stat}), e.g. 'R', 'S', 'Z'
 * @param startTicks start time in clock ticks after boot (field 22 of {@code stat})
 * @param tty controlling terminal name, {@code ""} for none; see {@link TtyNames}
 * @param credentials user and group ids from {@code status}
 * @param loginUid audit login uid; {@link #UNSET_LOGIN_UID} when never set
 * @param sessionId audit session id ({@code 4294967295} when unset)
 * @param containerId 64-hex container id from {@code cgroup}, {@code ""} on the host
 */
public record ProcSnapshot(
    int pid,
    String exe,
    boolean exeDeleted,
    Argv argv,
    String cwd,
    int ppid,
    char state,
    long startTicks,
    String tty,
    Optional<Credentials> credentials,
    OptionalLong loginUid,
    OptionalLong sessionId,
    String containerId) {

  /** The value of {@code loginuid} for a process that no login ever set ((uid_t) -1). */
  public static final long UNSET_LOGIN_UID = 4294967295L;

  /**
   * Arguments from {@code cmdline}, split on NUL, each decoded with {@code
   * io.vigil.agent.sensor.process.audit.EscapedText} (invalid UTF-8 as {@code \xNN}, backslash
   * doubled).
   *
   * @param args the arguments, empty for kernel threads and zombies
   * @param truncated the command line was longer than the reader's byte limit and was cut
   */
  public record Argv(List<String> args, boolean truncated) {
    public Argv {
      args = List.copyOf(args);
    }

    /** The arguments joined by single spaces, as {@code ProcessRef.command_line} carries them. */
    public String commandLine() {
      return String.join(" ", args);
    }
  }

  /** Real, effective, saved and file-system ids from the {@code Uid:} and {@code Gid:} lines. */
  public record Credentials(
      long uid, long euid, long suid, long fsuid, long gid, long egid, long sgid, long fsgid) {}
}
