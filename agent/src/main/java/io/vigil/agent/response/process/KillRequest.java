package io.vigil.agent.response.process;

import io.vigil.agent.response.ActionRefusedException;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.Kill;
import java.util.regex.Pattern;

/**
 * The arguments of a {@code kill} command, checked. Immutable.
 *
 * @param pid process id in the host's pid namespace, positive
 * @param entityId the process's {@code ProcessRef.entity_id}: 32 lower-case hex digits
 * @param tree kill its descendants too
 */
record KillRequest(int pid, String entityId, boolean tree) {
  /** Linux's upper bound for {@code /proc/sys/kernel/pid_max} (PID_MAX_LIMIT on 64-bit). */
  static final int PID_MAX_LIMIT = 4 * 1024 * 1024;

  private static final Pattern ENTITY_ID = Pattern.compile("[0-9a-f]{32}");

  /**
   * Checks {@code kill}'s arguments.
   *
   * @throws ActionRefusedException naming the bad argument
   */
  static KillRequest of(Kill kill) throws ActionRefusedException {
    long pid = Integer.toUnsignedLong(kill.getPid());
    if (pid == 0) {
      throw new ActionRefusedException("kill: pid is required (0 is not a process)");
    }
    if (pid > PID_MAX_LIMIT) {
      throw new ActionRefusedException(
          "kill: pid "
              + pid
              + " is not a process id (Linux pids are at most "
              + PID_MAX_LIMIT
              + ")");
    }
    String id = kill.getEntityId();
    if (id.isEmpty()) {
      throw new ActionRefusedException(
          "kill: entity_id is required: it proves the pid still names the process you meant");
    }
    if (!ENTITY_ID.matcher(id).matches()) {
      throw new ActionRefusedException(
          "kill: entity_id \""
              + TerminalText.escape(id, 80)
              + "\" is not an entity id (32 lower-case hex digits, as ProcessRef.entity_id)");
    }
    return new KillRequest((int) pid, id, kill.getTree());
  }
}
