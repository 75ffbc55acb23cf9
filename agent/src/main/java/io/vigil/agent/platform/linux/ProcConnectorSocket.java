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

/**
 * A netlink socket subscribed to the kernel's proc connector ({@code NETLINK_CONNECTOR}, group
 * {@code CN_IDX_PROC}): every fork, exec, exit, uid/gid and comm change on the host arrives as a
 * datagram, to be parsed by {@code ProcEventParser}. Listening is per socket, so closing it (or the
 * process dying) leaves no state behind.
 *
 * <p>Needs {@code CAP_NET_ADMIN}. Socket option numbers are those of x86_64 and aarch64 (the
 * generic Linux ABI); other architectures are refused at open.
 *
 * <p>Not thread-safe: one thread owns the socket, calls {@link #receive} in a loop (it returns at
 * least every receive timeout) and calls {@link #close} itself when asked to stop. Closing from
 * another thread while a receive is in flight could let the receive read a reused descriptor.
 */
public final class ProcConnectorSocket implements AutoCloseable {
  /** {@link #receive} result: the socket buffer overflowed and the kernel dropped events. */
  public static final int EVENTS_LOST = -1;

  /** Default kernel receive buffer; 1000 execs in under a second needed far less. */
  public static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

  /** Default longest a {@link #receive} blocks, so the owning thread can notice a stop request. */
  public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofMillis(200);

  private static final int AF_NETLINK = 16;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_CONNECTOR = 11;
  private static final int CN_IDX_PROC = 1;
  private static final int CN_VAL_PROC = 1;
  private static final int NLMSG_DONE = 3;
  private static final int PROC_CN_MCAST_LISTEN = 1;
  private static final int PROC_CN_MCAST_IGNORE = 2;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int EPERM = 1;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int EACCES = 13;
  private static final int ENOBUFS = 105;
  // The kernel sends one event per datagram (under 100 bytes); this leaves room for batching.
  private static final int NATIVE_BUFFER = 64 * 1024;

  private static final LibC LIBC =
      Platform.isLinux() && (Platform.isIntel() || Platform.isARM()) && Platform.is64Bit()
          ? Native.load("c", LibC.class)
          : null;

  private final int fd;
  private final Memory nativeBuffer = new Memory(NATIVE_BUFFER);
  private boolean closed;

  private ProcConnectorSocket(int fd) {
    this.fd = fd;
  }

  /** Opens with {@link #DEFAULT_RECEIVE_BUFFER} and {@link #DEFAULT_RECEIVE_TIMEOUT}. */
  public static ProcConnectorSocket open() throws IOException {
    return open(DEFAULT_RECEIVE_BUFFER, DEFAULT_RECEIVE_TIMEOUT);
  }

  /**
   * Opens the socket, binds it to the proc connector group and asks the kernel to start sending.
   *
   * @throws IOException when the kernel refuses; without {@code CAP_NET_ADMIN} the message says
   *     "proc connector needs CAP_NET_ADMIN"
   */
  public static ProcConnectorSocket open(int receiveBufferBytes, Duration receiveTimeout)
      throws IOException {
    if (LIBC == null) {
      throw new IOException(
          "proc connector is supported on 64-bit x86 and ARM Linux only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"));
    }
    if (receiveBufferBytes <= 0 || receiveTimeout.isNegative() || receiveTimeout.isZero()) {
      throw new IllegalArgumentException("receive buffer and timeout must be positive");
    }
    int fd = LIBC.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
    if (fd < 0) {
      throw failure("socket(AF_NETLINK, NETLINK_CONNECTOR)", Native.getLastError());
    }
    ProcConnectorSocket s = new ProcConnectorSocket(fd);
    try {
      s.bind();
      s.setOption(SO_RCVBUFFORCE, ints(receiveBufferBytes), "SO_RCVBUFFORCE");
      // A zero timeval would mean "block forever", so anything positive is at least 1 us.
      long micros = Math.max(1, receiveTimeout.toNanos() / 1000);
      s.setOption(SO_RCVTIMEO, longs(micros / 1_000_000, micros % 1_000_000), "SO_RCVTIMEO");
      s.sendControl(PROC_CN_MCAST_LISTEN);
    } catch (IOException e) {
      LIBC.close(fd);
      s.closed = true;
      throw e;
    }
    return s;
  }

  /**
   * Blocks until a datagram arrives or the receive timeout passes, and copies it into {@code buf}
   * (a datagram longer than {@code buf} or 64 KiB is cut; a proc connector datagram is under 100
   * bytes).
   *
   * @return the datagram's length; 0 on timeout or interruption by a signal; {@link #EVENTS_LOST}
   *     when the kernel reports {@code ENOBUFS}: events were dropped since the last receive and the
   *     stream has a gap, but the socket stays usable
   * @throws IOException on any other error, or when closed
   */
  public int receive(byte[] buf) throws IOException {
    if (closed) {
      throw new IOException("proc connector socket is closed");
    }
    int want = Math.min(buf.length, NATIVE_BUFFER);
    long n = SocketReceive.recv(fd, nativeBuffer, want, 0);
    if (n < 0) {
      int errno = Native.getLastError();
      if (errno == EAGAIN || errno == EINTR) {
        return 0;
      }
      if (errno == ENOBUFS) {
        return EVENTS_LOST;
      }
      throw failure("recv", errno);
    }
    nativeBuffer.read(0, buf, 0, (int) n);
    return (int) n;
  }

  /**
   * Tells the kernel to stop sending ({@code PROC_CN_MCAST_IGNORE}, which keeps its listener count
   * right) and closes the descriptor. Idempotent.
   *
   * @throws IOException when either step failed; the descriptor is closed regardless
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException ignoreFailure = null;
    try {
      sendControl(PROC_CN_MCAST_IGNORE);
    } catch (IOException e) {
      ignoreFailure = e;
    }
    if (LIBC.close(fd) != 0) {
      IOException e = failure("close", Native.getLastError());
      if (ignoreFailure != null) {
        e.addSuppressed(ignoreFailure);
      }
      throw e;
    }
    if (ignoreFailure != null) {
      throw ignoreFailure;
    }
  }

  private void bind() throws IOException {
    // sockaddr_nl: family, pad, nl_pid 0 (the kernel picks a free port id, so several sockets in
    // one process do not collide), nl_groups.
    ByteBuffer a = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    a.putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(CN_IDX_PROC);
    if (LIBC.bind(fd, a.array(), 12) != 0) {
      throw failure("bind(CN_IDX_PROC)", Native.getLastError());
    }
  }

  private void setOption(int option, byte[] value, String name) throws IOException {
    if (LIBC.setsockopt(fd, SOL_SOCKET, option, value, value.length) != 0) {
      throw failure("setsockopt(" + name + ")", Native.getLastError());
    }
  }

  private void sendControl(int op) throws IOException {
    // nlmsghdr(16) + cn_msg(20) + u32 op
    ByteBuffer m = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    m.putInt(40).putShort((short) NLMSG_DONE).putShort((short) 0).putInt(0).putInt(0);
    m.putInt(CN_IDX_PROC).putInt(CN_VAL_PROC).putInt(0).putInt(0);
    m.putShort((short) 4).putShort((short) 0);
    m.putInt(op);
    long n = LIBC.send(fd, m.array(), new NativeLong(40), 0).longValue();
    if (n != 40) {
      throw failure(
          "send(" + (op == PROC_CN_MCAST_LISTEN ? "LISTEN" : "IGNORE") + ")",
          n < 0 ? Native.getLastError() : 0);
    }
  }

  private static IOException failure(String call, int errno) {
    if (errno == EPERM || errno == EACCES) {
      return new IOException(
          "proc connector needs CAP_NET_ADMIN: " + call + " failed with errno " + errno);
    }
    return new IOException(call + " failed with errno " + errno);
  }

  private static byte[] ints(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }

  private static byte[] longs(long a, long b) {
    return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(a).putLong(b).array();
  }

  private interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] addr, int addrlen);

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

    NativeLong send(int fd, byte[] buf, NativeLong len, int flags);

    int close(int fd);
  }
}
