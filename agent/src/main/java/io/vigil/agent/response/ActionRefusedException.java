package io.vigil.agent.response;

/**
 * A command refused before it changed anything: bad arguments, a guard rail (the agent itself, pid
 * 1, a reused pid, a protected path), or containment disabled. The message is the operator's
 * explanation.
 */
public final class ActionRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public ActionRefusedException(String message) {
    super(message);
  }
}
