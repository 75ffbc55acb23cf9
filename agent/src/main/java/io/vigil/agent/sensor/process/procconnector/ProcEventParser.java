package io.vigil.agent.sensor.process.procconnector;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses datagrams received from a {@code NETLINK_CONNECTOR} socket subscribed to {@code
 * CN_IDX_PROC}. A datagram is a sequence of netlink messages, each {@code nlmsghdr} (16 bytes) +
 * {@code cn_msg} (20 bytes) + {@code struct proc_event} ({@code u32 what; u32 cpu; u64
 * timestamp_ns;} then a union), in the host's byte order, each padded to 4 bytes.
 *
 * <p>Lengths are taken from the message itself ({@code nlmsg_len}, {@code cn_msg.len}) and checked
 * against the datagram, so the layout of kernels that add union members later still parses and a
 * truncated or corrupt datagram is counted in {@link ParsedDatagram#malformed()} rather than
 * thrown. Stateless and thread-safe.
 */
public final class ProcEventParser {
  private static final int NLMSG_HDRLEN = 16;
  private static final int NLMSG_NOOP = 1;
  private static final int NLMSG_ERROR = 2;
  private static final int CN_MSG_LEN = 20;
  private static final int CN_IDX_PROC = 1;
  private static final int CN_VAL_PROC = 1;
  private static final int EVENT_HEADER_LEN = 16;
  private static final int COMM_LEN = 16;

  private static final int PROC_EVENT_NONE = 0;
  private static final int PROC_EVENT_FORK = 0x1;
  private static final int PROC_EVENT_EXEC = 0x2;
  private static final int PROC_EVENT_UID = 0x4;
  private static final int PROC_EVENT_GID = 0x40;
  private static final int PROC_EVENT_COMM = 0x200;
  private static final int PROC_EVENT_EXIT = 0x80000000;
  // exit_code + exit_signal after pid/tgid; parent_pid/parent_tgid follow since Linux 4.18.
  private static final int EXIT_LEN_WITHOUT_PARENT = 16;
  private static final int EXIT_LEN_WITH_PARENT = 24;

  /** Parses the first {@code length} bytes of {@code datagram}. Never throws on content. */
  public ParsedDatagram parse(byte[] datagram, int length) {
    if (length < 0 || length > datagram.length) {
      throw new IllegalArgumentException("length " + length + " outside buffer " + datagram.length);
    }
    ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
    Tally t = new Tally();
    int off = 0;
    while (off < length) {
      if (length - off < NLMSG_HDRLEN) {
        t.malformed("truncated netlink header at offset " + off);
        break;
      }
      long nlLen = Integer.toUnsignedLong(b.getInt(off));
      if (nlLen < NLMSG_HDRLEN || nlLen > length - off) {
        // Without a trustworthy length there is no next message to step to.
        t.malformed("netlink length " + nlLen + " at offset " + off + " of " + length);
        break;
      }
      message(b, off, (int) nlLen, t);
      off += ((int) nlLen + 3) & ~3;
    }
    return new ParsedDatagram(t.events, t.acks, t.ackErrno, t.ignored, t.malformed, t.firstError);
  }

  private static void message(ByteBuffer b, int off, int nlLen, Tally t) {
    int type = Short.toUnsignedInt(b.getShort(off + 4));
    int body = off + NLMSG_HDRLEN;
    int bodyLen = nlLen - NLMSG_HDRLEN;
    if (type == NLMSG_NOOP) {
      t.ignored++;
      return;
    }
    if (type == NLMSG_ERROR) {
      if (bodyLen < 4) {
        t.malformed("truncated netlink error at offset " + off);
        return;
      }
      t.ack(-b.getInt(body));
      return;
    }
    if (bodyLen < CN_MSG_LEN) {
      t.malformed("truncated connector header at offset " + off);
      return;
    }
    if (b.getInt(body) != CN_IDX_PROC || b.getInt(body + 4) != CN_VAL_PROC) {
      t.ignored++;
      return;
    }
    int cnLen = Short.toUnsignedInt(b.getShort(body + 16));
    if (cnLen > bodyLen - CN_MSG_LEN) {
      t.malformed("connector length " + cnLen + " exceeds message at offset " + off);
      return;
    }
    event(b, body + CN_MSG_LEN, cnLen, t);
  }

  private static void event(ByteBuffer b, int at, int len, Tally t) {
    if (len < EVENT_HEADER_LEN) {
      t.malformed("proc_event of " + len + " bytes");
      return;
    }
    int what = b.getInt(at);
    int cpu = b.getInt(at + 4);
    long ts = b.getLong(at + 8);
    int u = at + EVENT_HEADER_LEN;
    int uLen = len - EVENT_HEADER_LEN;
    switch (what) {
      case PROC_EVENT_NONE -> {
        if (need(uLen, 4, "ack", t)) {
          t.ack(b.getInt(u));
        }
      }
      case PROC_EVENT_FORK -> {
        if (need(uLen, 16, "fork", t)) {
          t.events.add(
              new ProcEvent.Fork(
                  b.getInt(u), b.getInt(u + 4), b.getInt(u + 8), b.getInt(u + 12), cpu, ts));
        }
      }
      case PROC_EVENT_EXEC -> {
        if (need(uLen, 8, "exec", t)) {
          t.events.add(new ProcEvent.Exec(b.getInt(u), b.getInt(u + 4), cpu, ts));
        }
      }
      case PROC_EVENT_UID -> {
        if (need(uLen, 16, "uid", t)) {
          t.events.add(
              new ProcEvent.Uid(
                  b.getInt(u), b.getInt(u + 4), b.getInt(u + 8), b.getInt(u + 12), cpu, ts));
        }
      }
      case PROC_EVENT_GID -> {
        if (need(uLen, 16, "gid", t)) {
          t.events.add(
              new ProcEvent.Gid(
                  b.getInt(u), b.getInt(u + 4), b.getInt(u + 8), b.getInt(u + 12), cpu, ts));
        }
      }
      case PROC_EVENT_COMM -> {
        if (need(uLen, 8 + COMM_LEN, "comm", t)) {
          t.events.add(new ProcEvent.Comm(b.getInt(u), b.getInt(u + 4), comm(b, u + 8), cpu, ts));
        }
      }
      case PROC_EVENT_EXIT -> {
        if (need(uLen, EXIT_LEN_WITHOUT_PARENT, "exit", t)) {
          boolean parent = uLen >= EXIT_LEN_WITH_PARENT;
          t.events.add(
              new ProcEvent.Exit(
                  b.getInt(u),
                  b.getInt(u + 4),
                  b.getInt(u + 8),
                  b.getInt(u + 12),
                  parent ? b.getInt(u + 16) : 0,
                  parent ? b.getInt(u + 20) : 0,
                  cpu,
                  ts));
        }
      }
      default -> t.ignored++;
    }
  }

  private static boolean need(int have, int need, String kind, Tally t) {
    if (have < need) {
      t.malformed(kind + " event with " + have + " of " + need + " payload bytes");
      return false;
    }
    return true;
  }

  private static String comm(ByteBuffer b, int at) {
    byte[] raw = new byte[COMM_LEN];
    b.get(at, raw);
    int n = 0;
    while (n < COMM_LEN && raw[n] != 0) {
      n++;
    }
    // comm is whatever bytes the process chose (prctl PR_SET_NAME); invalid UTF-8 becomes U+FFFD.
    return new String(raw, 0, n, StandardCharsets.UTF_8);
  }

  private static final class Tally {
    final List<ProcEvent> events = new ArrayList<>();
    int acks;
    int ackErrno;
    int ignored;
    int malformed;
    String firstError;

    void ack(int errno) {
      acks++;
      if (ackErrno == 0) {
        ackErrno = errno;
      }
    }

    void malformed(String what) {
      malformed++;
      if (firstError == null) {
        firstError = what;
      }
    }
  }
}
