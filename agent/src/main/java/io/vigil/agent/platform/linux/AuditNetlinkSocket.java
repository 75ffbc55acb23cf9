package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel audit netlink socket ({@code NETLINK_AUDIT}). Opened {@link #openUnicast unicast} it
 * sends control requests (status, settings, rules) and, after {@link #setDaemonPid}, receives every
 * audit record as the audit daemon. Opened {@link #openReadLog read-log} it is a best-effort
 * multicast reader that coexists with auditd.
 *
 * <p>Control needs {@code CAP_AUDIT_CONTROL}; the read-log group needs {@code CAP_AUDIT_READ}. A
 * refusal becomes an {@link IOException} naming the capability. Socket option numbers are those of
 * x86_64 and aarch64; other architectures are refused at open.
 *
 * <p>Not thread-safe: one thread owns the socket. Every call blocks for at most a few receive
 * timeouts (requests wait for the kernel's acknowledgement; {@link #receive} returns at each
 * timeout). Close from the owning thread, or after it stopped.
 */
public final class AuditNetlinkSocket implements AutoCloseable {
  /** Default kernel receive buffer. */
  public static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

  /** Default longest a {@link #receive} blocks. */
  public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofMillis(200);

  /** The deprecated generic user-space message type, still sent by {@code auditctl -m}. */
  public static final int AUDIT_USER = 1005;

  /** Audit message types: control requests. */
  public static final int AUDIT_GET = 1000;

  public static final int AUDIT_SET = 1001;
  public static final int AUDIT_ADD_RULE = 1011;
  public static final int AUDIT_DEL_RULE = 1012;
  public static final int AUDIT_LIST_RULES = 1013;

  private static final int AUDIT_STATUS_ENABLED = 0x1;
  private static final int AUDIT_STATUS_PID = 0x4;
  private static final int AUDIT_STATUS_BACKLOG_LIMIT = 0x10;
  private static final int AUDIT_NLGRP_READLOG = 1;

  private static final int NETLINK_AUDIT = 9;
  // An audit record is at most about 9 KB; a rule dump datagram can hold several rules.
  private static final int NATIVE_BUFFER = 64 * 1024;
  // Replies arrive within microseconds; this many empty receive timeouts means the kernel ignored
  // us.
  private static final int REPLY_TIMEOUTS = 10;

  private static final NetlinkLibc.Failure OTHER_ERRNO =
      (call, errno) -> new AuditNetlinkException(call + " failed with errno " + errno, errno);
  private static final NetlinkLibc.Failure CONTROL_FAILURE =
      NetlinkLibc.needing(
          "audit netlink",
          "CAP_AUDIT_CONTROL (or the audit configuration is locked, enabled=2)",
          OTHER_ERRNO);
  private static final NetlinkLibc.Failure READ_LOG_FAILURE =
      NetlinkLibc.needing("audit netlink", "CAP_AUDIT_READ", OTHER_ERRNO);

  /**
   * One received message.
   *
   * @param kind what happened
   * @param type the netlink message type (an audit record type for records), 0 unless {@code
   *     MESSAGE}
   * @param payload the message body, without the netlink header; empty unless {@code MESSAGE}
   */
  public record Message(Kind kind, int type, byte[] payload) {
    /** The outcome of a {@link #receive}. */
    public enum Kind {
      /** A message arrived. */
      MESSAGE,
      /** The receive timeout passed (or a signal interrupted the wait). */
      TIMEOUT,
      /** The socket buffer overflowed ({@code ENOBUFS}): records were lost; still usable. */
      OVERRUN
    }

    static final Message TIMEOUT = new Message(Kind.TIMEOUT, 0, new byte[0]);
    static final Message OVERRUN = new Message(Kind.OVERRUN, 0, new byte[0]);

    /**
     * True for a text audit record: types 1100 to 2999, and {@code AUDIT_USER} (1005), the old
     * generic user-space message that {@code auditctl -m} and some tools still send.
     */
    public boolean isRecord() {
      return kind == Kind.MESSAGE && AuditNetlinkCodec.isRecordType(type);
    }
  }

  private final int fd;
  // How errors of the socket's own calls read: the capability it lacks depends on its kind.
  private final NetlinkLibc.Failure failure;
  private final Memory nativeBuffer = new Memory(NATIVE_BUFFER);
  private final byte[] heapBuffer = new byte[NATIVE_BUFFER];
  // Records that arrived while a request waited for its reply; handed out by receive() first.
  private final ArrayDeque<Message> pending = new ArrayDeque<>();
  private int seq;
  private boolean closed;

  private AuditNetlinkSocket(int fd, NetlinkLibc.Failure failure) {
    this.fd = fd;
    this.failure = failure;
  }

  /** A unicast control socket with the default buffer and timeout. */
  public static AuditNetlinkSocket openUnicast() throws IOException {
    return open(false, DEFAULT_RECEIVE_BUFFER, DEFAULT_RECEIVE_TIMEOUT);
  }

  /** A unicast socket: control requests, and records once it is the daemon. */
  public static AuditNetlinkSocket openUnicast(int receiveBufferBytes, Duration receiveTimeout)
      throws IOException {
    return open(false, receiveBufferBytes, receiveTimeout);
  }

  /**
   * A socket in the read-only multicast group {@code AUDIT_NLGRP_READLOG}: receives a copy of every
   * record while audit is enabled, beside whichever process is the daemon.
   *
   * @throws IOException without {@code CAP_AUDIT_READ}, naming it
   */
  public static AuditNetlinkSocket openReadLog(int receiveBufferBytes, Duration receiveTimeout)
      throws IOException {
    return open(true, receiveBufferBytes, receiveTimeout);
  }

  private static AuditNetlinkSocket open(boolean readLog, int receiveBuffer, Duration timeout)
      throws IOException {
    NetlinkLibc.requireSupported("audit netlink");
    if (receiveBuffer <= 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("receive buffer and timeout must be positive");
    }
    NetlinkLibc.Failure failure = readLog ? READ_LOG_FAILURE : CONTROL_FAILURE;
    int fd = NetlinkLibc.open(NetlinkLibc.SOCK_RAW, NETLINK_AUDIT, "NETLINK_AUDIT", failure);
    AuditNetlinkSocket s = new AuditNetlinkSocket(fd, failure);
    try {
      if (readLog) {
        NetlinkLibc.bind(fd, 1 << (AUDIT_NLGRP_READLOG - 1), "bind(AUDIT_NLGRP_READLOG)", failure);
      } else {
        NetlinkLibc.bind(fd, 0, "bind", failure);
      }
      // Forced past rmem_max where CAP_NET_ADMIN allows, else capped by it.
      NetlinkLibc.setReceiveBuffer(fd, receiveBuffer, failure);
      NetlinkLibc.setReceiveTimeout(fd, timeout, failure);
    } catch (IOException e) {
      NetlinkLibc.closeQuietly(fd);
      s.closed = true;
      throw e;
    }
    return s;
  }

  /** {@code AUDIT_GET}: the kernel's audit status. */
  public AuditStatus status() throws IOException {
    List<AuditNetlinkCodec.Frame> replies = new ArrayList<>();
    request(AUDIT_GET, new byte[0], "AUDIT_GET", replies, Expect.ONE_REPLY);
    for (AuditNetlinkCodec.Frame f : replies) {
      if (f.type() == AUDIT_GET) {
        return AuditStatus.decode(f.buf(), f.off(), f.len());
      }
    }
    throw new IOException("AUDIT_GET was acknowledged without a status reply");
  }

  /**
   * {@code AUDIT_SET pid}: makes this socket the audit daemon's ({@code pid} must be this process),
   * or gives the slot back ({@code pid} 0, only from the process that holds it).
   *
   * @throws IOException e.g. errno 17 (EEXIST) when another live process holds the slot
   */
  public void setDaemonPid(int pid) throws IOException {
    set(AUDIT_STATUS_PID, 0, pid, 0, "AUDIT_SET pid=" + pid);
  }

  /** {@code AUDIT_SET enabled}: 0 off, 1 on, 2 on and locked until reboot. */
  public void setEnabled(int enabled) throws IOException {
    set(AUDIT_STATUS_ENABLED, enabled, 0, 0, "AUDIT_SET enabled=" + enabled);
  }

  /** {@code AUDIT_SET backlog_limit}. */
  public void setBacklogLimit(int limit) throws IOException {
    set(AUDIT_STATUS_BACKLOG_LIMIT, 0, 0, limit, "AUDIT_SET backlog_limit=" + limit);
  }

  /** {@code AUDIT_LIST_RULES}: every rule, as raw {@code struct audit_rule_data} bytes. */
  public List<byte[]> listRules() throws IOException {
    List<AuditNetlinkCodec.Frame> replies = new ArrayList<>();
    request(AUDIT_LIST_RULES, new byte[0], "AUDIT_LIST_RULES", replies, Expect.DUMP);
    List<byte[]> rules = new ArrayList<>();
    for (AuditNetlinkCodec.Frame f : replies) {
      if (f.type() == AUDIT_LIST_RULES) {
        rules.add(f.payload());
      }
    }
    return rules;
  }

  /** {@code AUDIT_ADD_RULE} with raw {@code struct audit_rule_data} bytes. */
  public void addRule(byte[] ruleData) throws IOException {
    request(AUDIT_ADD_RULE, ruleData, "AUDIT_ADD_RULE", new ArrayList<>(), Expect.ACK);
  }

  /** {@code AUDIT_DEL_RULE} with raw bytes; the kernel deletes the rule they equal exactly. */
  public void deleteRule(byte[] ruleData) throws IOException {
    request(AUDIT_DEL_RULE, ruleData, "AUDIT_DEL_RULE", new ArrayList<>(), Expect.ACK);
  }

  /**
   * The next message: blocks at most the receive timeout. Records that arrived during a request
   * come first.
   *
   * @throws IOException on a socket error other than a timeout or overrun, or when closed
   */
  public Message receive() throws IOException {
    Message queued = pending.poll();
    if (queued != null) {
      return queued;
    }
    int n = recv();
    if (n == 0) {
      return Message.TIMEOUT;
    }
    if (n < 0) {
      return Message.OVERRUN;
    }
    AuditNetlinkCodec.split(
        heapBuffer, n, f -> pending.add(new Message(Message.Kind.MESSAGE, f.type(), f.payload())));
    Message first = pending.poll();
    return first != null ? first : Message.TIMEOUT;
  }

  /** Closes the descriptor (the kernel frees the daemon slot once it notices). Idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    NetlinkLibc.close(fd, failure);
  }

  private void set(int mask, int enabled, int pid, int backlog, String what) throws IOException {
    byte[] payload = AuditNetlinkCodec.statusPayload(mask, enabled, pid, backlog);
    request(AUDIT_SET, payload, what, new ArrayList<>(), Expect.ACK);
  }

  /** What completes a request besides the acknowledgement. */
  private enum Expect {
    ACK,
    ONE_REPLY,
    DUMP
  }

  /**
   * Sends a request with {@code NLM_F_ACK} and collects the replies carrying its sequence number
   * until the acknowledgement and, as {@code expect} says, a reply or the dump's {@code
   * NLMSG_DONE}. The kernel sends status replies and rule dumps from a worker thread, so they may
   * come after the acknowledgement. Anything else that arrives is kept for {@link #receive}.
   */
  private void request(
      int type, byte[] payload, String what, List<AuditNetlinkCodec.Frame> replies, Expect expect)
      throws IOException {
    ensureOpen();
    int mySeq = ++seq;
    byte[] msg =
        AuditNetlinkCodec.request(
            type, AuditNetlinkCodec.NLM_F_REQUEST | AuditNetlinkCodec.NLM_F_ACK, mySeq, payload);
    // Requests are control calls even on a read-log socket, so their refusals name the control
    // capability.
    NetlinkLibc.send(fd, msg, true, "send(" + what + ")", CONTROL_FAILURE);
    boolean acked = false;
    boolean done = expect == Expect.ACK;
    int idle = 0;
    int[] errno = {0};
    while (!(acked && done)) {
      int n = recv();
      if (n == 0) {
        if (++idle >= REPLY_TIMEOUTS) {
          throw new IOException(what + ": no reply from the kernel");
        }
        continue;
      }
      if (n < 0) {
        continue; // overrun: records were lost; our reply may still come
      }
      boolean[] flags = {acked, done};
      AuditNetlinkCodec.split(
          heapBuffer,
          n,
          f -> {
            if (f.type() == AuditNetlinkCodec.NLMSG_ERROR && f.errorSeq() == mySeq) {
              flags[0] = true;
              errno[0] = f.errno();
            } else if (f.seq() == mySeq && f.type() == AuditNetlinkCodec.NLMSG_DONE) {
              flags[1] = true;
            } else if (f.seq() == mySeq && f.type() == type) {
              replies.add(copy(f));
              flags[1] |= expect == Expect.ONE_REPLY;
            } else if (AuditNetlinkCodec.isRecordType(f.type())) {
              pending.add(new Message(Message.Kind.MESSAGE, f.type(), f.payload()));
            }
          });
      acked = flags[0];
      done = flags[1];
      if (acked && errno[0] != 0) {
        throw CONTROL_FAILURE.of(what, errno[0]);
      }
    }
  }

  private static AuditNetlinkCodec.Frame copy(AuditNetlinkCodec.Frame f) {
    byte[] p = f.payload();
    return new AuditNetlinkCodec.Frame(f.type(), f.flags(), f.seq(), f.portId(), p, 0, p.length);
  }

  /** Bytes received into {@link #heapBuffer}; 0 on timeout or signal, -1 on ENOBUFS. */
  private int recv() throws IOException {
    ensureOpen();
    return NetlinkLibc.receive(fd, nativeBuffer, heapBuffer, NATIVE_BUFFER, failure);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("audit netlink socket is closed");
    }
  }
}
