package io.vigil.collector.trust;

import java.util.UUID;

/** Agent ids are UUIDs in canonical form (lower case, hyphenated). Stateless. */
final class AgentIds {
  private AgentIds() {}

  /** True for a UUID spelled exactly as {@link UUID#toString()} spells it. */
  static boolean isCanonical(String s) {
    if (s == null || s.length() != 36) {
      return false;
    }
    try {
      return UUID.fromString(s).toString().equals(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
