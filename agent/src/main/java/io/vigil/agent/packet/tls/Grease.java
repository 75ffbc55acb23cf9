package io.vigil.agent.packet.tls;

/**
 * GREASE values (RFC 8701): the sixteen 16-bit values 0x0a0a, 0x1a1a, ... 0xfafa that clients put
 * among cipher suites, extensions, groups, versions and signature algorithms so that servers keep
 * tolerating unknown values. Fingerprints leave them out because clients pick them at random.
 */
public final class Grease {
  private Grease() {}

  /** True when {@code v} is one of the sixteen GREASE values. */
  public static boolean is(int v) {
    return (v & 0x0f0f) == 0x0a0a && (v >>> 8) == (v & 0xff);
  }
}
