package io.vigil.collector.command;

/**
 * An agent already has as many commands queued or without a result as the queue allows; nothing was
 * recorded. The operator API answers RESOURCE_EXHAUSTED with the message.
 */
public final class TooManyOpenCommandsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TooManyOpenCommandsException(String message) {
    super(message);
  }
}
