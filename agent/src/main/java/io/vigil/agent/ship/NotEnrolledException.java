package io.vigil.agent.ship;

import java.io.IOException;

/** The agent has no client certificate yet: it spools until it is enrolled. */
public final class NotEnrolledException extends IOException {
  private static final long serialVersionUID = 1L;

  public NotEnrolledException(String message) {
    super(message);
  }
}
