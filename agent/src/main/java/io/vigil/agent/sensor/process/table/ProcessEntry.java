package io.vigil.agent.sensor.process.table;

import io.vigil.proto.v1.ProcessRef;

/**
 * One process image as the table knows it. Immutable; a change (exec, uid change, exit) makes a new
 * entry with the {@code with*} methods.
 *
 * @param entityId the stable id of this image ({@code ProcessRef.entity_id})
 * @param pid process id
 * @param ppid parent process id, 0 when unknown
 * @param startTicks start time in clock ticks after boot
 * @param startTicksExact true when read from {@code /proc/PID/stat}; false when estimated from an
 *     event timestamp because the process was already gone
 * @param image executable path, {@code ""} when unknown
 * @param commandLine arguments joined by spaces; the table keeps at most {@link
 *     CommandLines#TABLE_MAX_BYTES} of it
 * @param uid real user id, -1 when unknown
 * @param user name of {@code uid}, {@code ""} when it does not resolve
 * @param startTimeNs wall-clock start, UTC ns
 * @param execGeneration 0 for a forked copy of its parent that has not exec'd, 1 after its first
 *     exec, 2 and up after each exec without a fork
 * @param execSinceFork true once the process exec'd after its fork; a further exec then gets a new
 *     entity id
 * @param exitedAtNs wall-clock exit time, UTC ns; 0 while it runs
 */
public record ProcessEntry(
    String entityId,
    int pid,
    int ppid,
    long startTicks,
    boolean startTicksExact,
    String image,
    String commandLine,
    int uid,
    String user,
    long startTimeNs,
    int execGeneration,
    boolean execSinceFork,
    long exitedAtNs) {

  /** True once the process ended. */
  public boolean exited() {
    return exitedAtNs != 0;
  }

  /** This entry after an exec: a new image, command line and user under {@code entityId}. */
  public ProcessEntry withExec(
      String newEntityId,
      int newPpid,
      String newImage,
      String newCommandLine,
      int newUid,
      String newUser,
      int generation) {
    return new ProcessEntry(
        newEntityId,
        pid,
        newPpid,
        startTicks,
        startTicksExact,
        newImage,
        newCommandLine,
        newUid,
        newUser,
        startTimeNs,
        generation,
        true,
        exitedAtNs);
  }

  /** This entry with another real uid (setuid and friends). */
  public ProcessEntry withUid(int newUid, String newUser) {
    return new ProcessEntry(
        entityId,
        pid,
        ppid,
        startTicks,
        startTicksExact,
        image,
        commandLine,
        newUid,
        newUser,
        startTimeNs,
        execGeneration,
        execSinceFork,
        exitedAtNs);
  }

  /** This entry, ended at {@code atNs}. */
  public ProcessEntry withExit(long atNs) {
    return new ProcessEntry(
        entityId,
        pid,
        ppid,
        startTicks,
        startTicksExact,
        image,
        commandLine,
        uid,
        user,
        startTimeNs,
        execGeneration,
        execSinceFork,
        atNs == 0 ? 1 : atNs);
  }

  /** This entry with its command line cut to {@code maxBytes} ({@link CommandLines#bound}). */
  public ProcessEntry withCommandLineBound(int maxBytes) {
    String cut = CommandLines.bound(commandLine, maxBytes);
    if (cut.length() == commandLine.length()) {
      return this;
    }
    return new ProcessEntry(
        entityId,
        pid,
        ppid,
        startTicks,
        startTicksExact,
        image,
        cut,
        uid,
        user,
        startTimeNs,
        execGeneration,
        execSinceFork,
        exitedAtNs);
  }

  /** The wire form used for acting processes and parents. */
  public ProcessRef toRef() {
    ProcessRef.Builder b =
        ProcessRef.newBuilder()
            .setEntityId(entityId)
            .setPid(pid)
            .setImage(image)
            .setCommandLine(commandLine)
            .setUser(user)
            .setStartTimeNs(startTimeNs);
    if (uid != -1) {
      b.setUid(uid);
    }
    return b.build();
  }
}
