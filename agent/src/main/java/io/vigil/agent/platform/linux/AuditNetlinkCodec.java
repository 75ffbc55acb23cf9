package io.vigil.agent.platform.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * Netlink framing for the audit protocol: builds request messages and splits a received datagram
 * into messages. Pure and stateless; kept apart from {@link AuditNetlinkSocket} so that the framing
 * can be tested without a kernel.
 */
final class AuditNetlinkCodec {
  static final int HEADER = 16;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;
  static final int FIRST_RECORD = 1100;
  static final int LAST_RECORD = 2999;
  static final int USER = 1005;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  static final int NLM_F_ACK = 0x4;

  /** One netlink message inside a datagram; the payload is {@code [off, off+len)} of the buffer. */
  record Frame(int type, int flags, int seq, int portId, byte[] buf, int off, int len) {
    /** A copy of the payload. */
    byte[] payload() {
      byte[] p = new byte[len];
      System.arraycopy(buf, off, p, 0, len);
      return p;
    }

    /** For {@code NLMSG_ERROR}: the errno it carries (0 for an acknowledgement). */
    int errno() {
      if (len < 4) {
        throw new IllegalArgumentException("NLMSG_ERROR without an error code");
      }
      return -ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getInt(off);
    }

    /** For {@code NLMSG_ERROR}: the sequence number of the request it answers, or -1. */
    int errorSeq() {
      // int error, then a copy of the request's nlmsghdr: len, type, flags, seq
      return len >= 4 + 12
          ? ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder()).getInt(off + 12)
          : -1;
    }
  }

  private AuditNetlinkCodec() {}

  /** A request: netlink header followed by {@code payload}, padded to 4 bytes. */
  static byte[] request(int type, int flags, int seq, byte[] payload) {
    int len = HEADER + payload.length;
    ByteBuffer m = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
    m.putInt(len).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    m.put(payload);
    return m.array();
  }

  /**
   * Splits {@code [0, n)} of {@code buf} into messages. An audit record ({@link #isRecordType}) at
   * the start takes the whole datagram, whatever its header says; a header whose length runs past
   * the datagram is cut to what arrived; one shorter than a header ends the datagram.
   *
   * @return how many messages went to {@code sink}
   */
  static int split(byte[] buf, int n, Consumer<Frame> sink) {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder());
    int pos = 0;
    int count = 0;
    while (n - pos >= HEADER) {
      int len = b.getInt(pos);
      int type = Short.toUnsignedInt(b.getShort(pos + 4));
      int flags = Short.toUnsignedInt(b.getShort(pos + 6));
      int seq = b.getInt(pos + 8);
      int portId = b.getInt(pos + 12);
      if (pos == 0 && isRecordType(type)) {
        // The kernel sends each audit record alone in its datagram, and in the copy for the
        // daemon nlmsg_len counts the payload only (a compatibility quirk; the multicast copy
        // counts the header too). The datagram's size is the one length to trust.
        len = n;
      }
      if (len < HEADER) {
        break;
      }
      int end = Math.min(pos + len, n);
      sink.accept(new Frame(type, flags, seq, portId, buf, pos + HEADER, end - pos - HEADER));
      count++;
      pos = align(end);
    }
    return count;
  }

  /** Text records: 1100 to 2999, and the old generic user-space message 1005 (auditctl -m). */
  static boolean isRecordType(int type) {
    return type >= FIRST_RECORD && type <= LAST_RECORD || type == USER;
  }

  static int align(int len) {
    return (len + 3) & ~3;
  }

  /** {@code struct audit_status} with only the fields in {@code mask} meant to be set. */
  static byte[] statusPayload(int mask, int enabled, int pid, int backlogLimit) {
    ByteBuffer s = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    s.putInt(mask).putInt(enabled).putInt(0).putInt(pid).putInt(0).putInt(backlogLimit);
    return s.array();
  }
}
