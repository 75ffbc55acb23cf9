package io.vigil.agent.sensor.process;

import java.nio.file.Path;

/**
 * Where the process sensor reads the host from: the seams that tests replace. Immutable.
 *
 * @param procRoot procfs, normally {@code /proc}
 * @param passwd user names, normally {@code /etc/passwd}
 * @param group group names, normally {@code /etc/group}
 * @param procEvents opens the fork/exec/exit source; failing to open means {@code /proc} polling
 */
public record ProcessSources(
    Path procRoot, Path passwd, Path group, ProcEventSource.Opener procEvents) {

  /** The real host: {@code /proc}, {@code /etc/passwd}, {@code /etc/group}, the proc connector. */
  public static ProcessSources system() {
    return new ProcessSources(
        Path.of("/proc"),
        Path.of("/etc/passwd"),
        Path.of("/etc/group"),
        ProcConnectorEventSource::open);
  }
}
