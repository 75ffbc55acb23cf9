package io.vigil.agent.sensor.file;

/**
 * One decoded kernel notification, before filtering, coalescing and attribution.
 *
 * @param mask {@link FileOps} bits; the kernel may merge several into one notification (for example
 *     {@code MODIFY | CLOSE_WRITE})
 * @param pid the acting process (thread group id) in the host's pid namespace; 0 when the source
 *     cannot tell (inotify) or the process is outside the agent's pid namespace
 * @param path absolute path of the entry (the new path of a rename); never null. A path the kernel
 *     could no longer resolve (directory deleted meanwhile) is reported as the source last knew it
 * @param oldPath for {@link FileOps#RENAME}, the old path; otherwise null
 * @param timeNs when the source read it, wall-clock UTC ns (the kernel does not timestamp them)
 */
public record FileNotification(long mask, int pid, String path, String oldPath, long timeNs) {

  /** True when any of {@code bits} is set. */
  public boolean has(long bits) {
    return (mask & bits) != 0;
  }

  /** True when the entry is a directory. */
  public boolean directory() {
    return has(FileOps.ONDIR);
  }
}
