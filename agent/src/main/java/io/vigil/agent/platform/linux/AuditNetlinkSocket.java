package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_AUDIT = 9;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVBUF = 8;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int EPERM = 1;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int EACCES = 13;
  private static final int ENOBUFS = 105;
  // An audit record is at most about 9 KB; a rule dump datagram can hold several rules.
  private static final int NATIVE_BUFFER = 64 * 1024;
  // Replies arrive within microseconds; this many empty receive timeouts means the kernel ignored
  // us.
  private static final int REPLY_TIMEOUTS = 10;

  private static final LibC LIBC =
      Platform.isLinux() && (Platform.isIntel() || Platform.isARM()) && Platform.is64Bit()
          ? Native.load("c", LibC.class)
          : null;

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
  private final boolean readLog;
  private final Memory nativeBuffer = new Memory(NATIVE_BUFFER);
  private final byte[] heapBuffer = new byte[NATIVE_BUFFER];
  // Records that arrived while a request waited for its reply; handed out by receive() first.
  private final ArrayDeque<Message> pending = new ArrayDeque<>();
  private int seq;
  private boolean closed;

  private AuditNetlinkSocket(int fd, boolean readLog) {
    this.fd = fd;
    this.readLog = readLog;
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
    if (LIBC == null) {
      throw new IOException(
          "audit netlink is supported on 64-bit x86 and ARM Linux only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"));
    }
    if (receiveBuffer <= 0 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("receive buffer and timeout must be positive");
    }
    int fd = LIBC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    if (fd < 0) {
      throw failure("socket(AF_NETLINK, NETLINK_AUDIT)", Native.getLastError(), readLog);
    }
    AuditNetlinkSocket s = new AuditNetlinkSocket(fd, readLog);
    try {
      s.bind(readLog ? 1 << (AUDIT_NLGRP_READLOG - 1) : 0);
      s.setReceiveBuffer(receiveBuffer);
      // A zero timeval would mean "block forever", so anything positive is at least 1 us.
      long micros = Math.max(1, timeout.toNanos() / 1000);
      byte[] tv =
          ByteBuffer.allocate(16)
              .order(ByteOrder.nativeOrder())
              .putLong(micros / 1_000_000)
              .putLong(micros % 1_000_000)
              .array();
      s.setOption(SO_RCVTIMEO, tv, "SO_RCVTIMEO");
    } catch (IOException e) {
      LIBC.close(fd);
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
    if (LIBC.close(fd) != 0) {
      throw failure("close", Native.getLastError(), readLog);
    }
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
    byte[] kernel =
        ByteBuffer.allocate(12).order(ByteOrder.nativeOrder()).putShort((short) AF_NETLINK).array();
    long sent = LIBC.sendto(fd, msg, new NativeLong(msg.length), 0, kernel, 12).longValue();
    if (sent != msg.length) {
      throw failure("send(" + what + ")", sent < 0 ? Native.getLastError() : 0, false);
    }
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
        throw failure(what, errno[0], false);
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
    long n = SocketReceive.recv(fd, nativeBuffer, NATIVE_BUFFER, 0);
    if (n < 0) {
      int errno = Native.getLastError();
      if (errno == EAGAIN || errno == EINTR) {
        return 0;
      }
      if (errno == ENOBUFS) {
        return -1;
      }
      throw failure("recv", errno, readLog);
    }
    nativeBuffer.read(0, heapBuffer, 0, (int) n);
    return (int) n;
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("audit netlink socket is closed");
    }
  }

  private void bind(int groups) throws IOException {
    // sockaddr_nl: family, pad, nl_pid 0 (the kernel picks a port id), nl_groups.
    ByteBuffer a = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    a.putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups);
    if (LIBC.bind(fd, a.array(), 12) != 0) {
      throw failure(
          groups != 0 ? "bind(AUDIT_NLGRP_READLOG)" : "bind", Native.getLastError(), readLog);
    }
  }

  private void setReceiveBuffer(int bytes) throws IOException {
    byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(bytes).array();
    // SO_RCVBUFFORCE passes rmem_max but needs CAP_NET_ADMIN; plain SO_RCVBUF is capped by it.
    if (LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4) != 0) {
      setOption(SO_RCVBUF, v, "SO_RCVBUF");
    }
  }

  private void setOption(int option, byte[] value, String name) throws IOException {
    if (LIBC.setsockopt(fd, SOL_SOCKET, option, value, value.length) != 0) {
      throw failure("setsockopt(" + name + ")", Native.getLastError(), readLog);
    }
  }

  private static IOException failure(String call, int errno, boolean readLog) {
    if (errno == EPERM || errno == EACCES) {
      String cap =
          readLog
              ? "CAP_AUDIT_READ"
              : "CAP_AUDIT_CONTROL (or the audit configuration is locked, enabled=2)";
      return new IOException(
          "audit netlink needs " + cap + ": " + call + " failed with errno " + errno);
    }
    return new AuditNetlinkException(call + " failed with errno " + errno, errno);
  }

  private interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] addr, int addrlen);

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

    NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen);

    int close(int fd);
  }
}
