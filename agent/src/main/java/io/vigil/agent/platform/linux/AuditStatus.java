package io.vigil.agent.platform.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel's {@code struct audit_status} as returned by {@code AUDIT_GET}. Immutable.
 *
 * @param mask which fields the kernel filled in
 * @param enabled 0 disabled, 1 enabled, 2 enabled and locked until reboot
 * @param failure what the kernel does when it cannot log (0 silent, 1 printk, 2 panic)
 * @param pid the audit daemon's pid, 0 when the slot is free
 * @param rateLimit records per second, 0 for no limit
 * @param backlogLimit records the kernel queues before it starts losing them
 * @param lost records lost since boot (an unsigned 32-bit counter that wraps)
 * @param backlog records queued right now
 */
public record AuditStatus(
    int mask,
    int enabled,
    int failure,
    int pid,
    int rateLimit,
    int backlogLimit,
    long lost,
    int backlog) {

  /** {@code enabled} value of a configuration locked until reboot ({@code auditctl -e 2}). */
  public static final int LOCKED = 2;

  /** True when {@code auditctl -e 2} locked rules and settings until reboot. */
  public boolean locked() {
    return enabled == LOCKED;
  }

  /** Decodes the first 32 bytes of an {@code AUDIT_GET} reply payload. */
  static AuditStatus decode(byte[] b, int off, int len) {
    if (len < 32) {
      throw new IllegalArgumentException("audit_status reply of " + len + " bytes, need 32");
    }
    ByteBuffer s = ByteBuffer.wrap(b, off, len).order(ByteOrder.nativeOrder());
    return new AuditStatus(
        s.getInt(off),
        s.getInt(off + 4),
        s.getInt(off + 8),
        s.getInt(off + 12),
        s.getInt(off + 16),
        s.getInt(off + 20),
        Integer.toUnsignedLong(s.getInt(off + 24)),
        s.getInt(off + 28));
  }
}
