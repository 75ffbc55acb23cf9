package io.vigil.collector.api;

import io.vigil.proto.v1.Role;
import java.util.Locale;

/** An operator's role; each includes the one before it. */
public enum OperatorRole {
  /** Alerts, events, hosts: read only. */
  VIEWER,
  /** Plus alert triage and commands to agents (containment). */
  RESPONDER,
  /** Plus enrolment tokens, API tokens, agent revocation, the audit log. */
  ADMIN;

  /** The name stored and shown: {@code viewer}, {@code responder}, {@code admin}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True when this role may do what {@code needed} may. */
  public boolean includes(OperatorRole needed) {
    return compareTo(needed) >= 0;
  }

  public Role proto() {
    return switch (this) {
      case VIEWER -> Role.ROLE_VIEWER;
      case RESPONDER -> Role.ROLE_RESPONDER;
      case ADMIN -> Role.ROLE_ADMIN;
    };
  }

  /**
   * @throws IllegalArgumentException for an unset or unknown role
   */
  public static OperatorRole of(Role role) {
    return switch (role) {
      case ROLE_VIEWER -> VIEWER;
      case ROLE_RESPONDER -> RESPONDER;
      case ROLE_ADMIN -> ADMIN;
      default -> throw new IllegalArgumentException("role: expected viewer, responder or admin");
    };
  }

  /**
   * @throws IllegalArgumentException for an unknown name (the message lists the roles)
   */
  public static OperatorRole of(String text) {
    for (OperatorRole r : values()) {
      if (r.text().equals(text)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "role: expected viewer, responder or admin, got \"" + text + "\"");
  }
}
