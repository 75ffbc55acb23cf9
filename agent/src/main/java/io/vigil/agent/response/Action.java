package io.vigil.agent.response;

import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;

/**
 * One kind of command (isolate, kill, ...). The dispatcher runs actions one at a time on its own
 * thread, after it recorded the command's intent, and records the outcome before it reports it.
 */
public interface Action {
  /**
   * Runs the command and sets its outcome, detail and facts on {@code result}.
   *
   * @throws ActionRefusedException when a guard rail or the arguments forbid it (reported as
   *     REJECTED with the message; nothing was changed)
   * @throws Exception when it failed (reported as FAILED with the message); an action that may have
   *     changed something before failing undoes it first or says so in the message
   */
  void run(Command command, CommandResult.Builder result) throws Exception;
}
