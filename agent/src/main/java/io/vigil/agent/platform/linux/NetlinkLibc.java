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
 * The glibc socket calls, constants and small helpers shared by the netlink sockets ({@link
 * AuditNetlinkSocket}, {@link ProcConnectorSocket}, {@link SockDiagSocket}); the hot {@code recv}
 * is direct-mapped in {@link SocketReceive}. The library is loaded once, on 64-bit x86 and ARM
 * Linux only: socket option numbers are those of the generic Linux ABI, and elsewhere {@link
 * #requireSupported} refuses.
 *
 * <p>Each failing helper throws what the caller's {@link Failure} makes of the call and its errno,
 * so that every socket keeps its own messages. Thread-safe (stateless); {@code errno} is read right
 * after the call on the calling thread.
 */
final class NetlinkLibc {
  static final int AF_NETLINK = 16;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_RAW = 3;
  static final int EPERM = 1;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int EACCES = 13;
  static final int ENOBUFS = 105;

  /** {@link #receive} result: the receive timeout passed, or a signal interrupted the wait. */
  static final int TIMED_OUT = 0;

  /** {@link #receive} result: the socket buffer overflowed ({@code ENOBUFS}); still usable. */
  static final int OVERRUN = -1;

  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVBUF = 8;
  private static final int SO_RCVTIMEO = 20;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SOCKADDR_NL = 12;

  private static final LibC LIBC =
      Platform.isLinux() && (Platform.isIntel() || Platform.isARM()) && Platform.is64Bit()
          ? Native.load("c", LibC.class)
          : null;

  /** Turns a failed call and its errno (0 for a short send) into the exception to throw. */
  @FunctionalInterface
  interface Failure {
    IOException of(String call, int errno);
  }

  /** {@code "<call> failed with errno <n>"}. */
  static final Failure PLAIN =
      (call, errno) -> new IOException(call + " failed with errno " + errno);

  private NetlinkLibc() {}

  /**
   * A failure that, for {@code EPERM} or {@code EACCES}, says {@code "<subject> needs <capability>:
   * <call> failed with errno <n>"}, and otherwise is {@code other}'s.
   */
  static Failure needing(String subject, String capability, Failure other) {
    return (call, errno) ->
        errno == EPERM || errno == EACCES
            ? new IOException(
                subject + " needs " + capability + ": " + call + " failed with errno " + errno)
            : other.of(call, errno);
  }

  /** Throws, naming {@code subject} and this platform, unless the calls are available here. */
  static void requireSupported(String subject) throws IOException {
    if (LIBC == null) {
      throw new IOException(
          subject
              + " is supported on 64-bit x86 and ARM Linux only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"));
    }
  }

  /**
   * {@code socket(AF_NETLINK, type | SOCK_CLOEXEC, protocol)}.
   *
   * @param protocolName names the protocol in the failure, e.g. {@code NETLINK_AUDIT}
   * @return the descriptor, owned by the caller
   */
  static int open(int type, int protocol, String protocolName, Failure failure) throws IOException {
    int fd = LIBC.socket(AF_NETLINK, type | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      throw failure.of("socket(AF_NETLINK, " + protocolName + ")", Native.getLastError());
    }
    return fd;
  }

  /** Binds to multicast {@code groups}, letting the kernel pick the port id. */
  static void bind(int fd, int groups, String call, Failure failure) throws IOException {
    // sockaddr_nl: family, pad, nl_pid 0 (the kernel picks a free port id, so several sockets in
    // one process do not collide), nl_groups.
    ByteBuffer a = ByteBuffer.allocate(SOCKADDR_NL).order(ByteOrder.nativeOrder());
    a.putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(groups);
    if (LIBC.bind(fd, a.array(), SOCKADDR_NL) != 0) {
      throw failure.of(call, Native.getLastError());
    }
  }

  /** {@code SO_RCVBUFFORCE}, which passes {@code rmem_max} but needs {@code CAP_NET_ADMIN}. */
  static void forceReceiveBuffer(int fd, int bytes, Failure failure) throws IOException {
    setOption(fd, SO_RCVBUFFORCE, ints(bytes), "SO_RCVBUFFORCE", failure);
  }

  /** {@code SO_RCVBUFFORCE}, or where that is refused plain {@code SO_RCVBUF} (capped). */
  static void setReceiveBuffer(int fd, int bytes, Failure failure) throws IOException {
    byte[] v = ints(bytes);
    if (LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, v.length) != 0) {
      setOption(fd, SO_RCVBUF, v, "SO_RCVBUF", failure);
    }
  }

  /** {@code SO_RCVTIMEO}; {@code timeout} must be positive. */
  static void setReceiveTimeout(int fd, Duration timeout, Failure failure) throws IOException {
    // A zero timeval would mean "block forever", so anything positive is at least 1 us.
    long micros = Math.max(1, timeout.toNanos() / 1000);
    byte[] tv =
        ByteBuffer.allocate(16)
            .order(ByteOrder.nativeOrder())
            .putLong(micros / 1_000_000)
            .putLong(micros % 1_000_000)
            .array();
    setOption(fd, SO_RCVTIMEO, tv, "SO_RCVTIMEO", failure);
  }

  /**
   * Sends one datagram; {@code toKernel} addresses it to the kernel explicitly, otherwise it goes
   * to the socket's default destination (also the kernel for an unconnected netlink socket).
   */
  static void send(int fd, byte[] msg, boolean toKernel, String call, Failure failure)
      throws IOException {
    byte[] kernel = null;
    if (toKernel) {
      kernel =
          ByteBuffer.allocate(SOCKADDR_NL)
              .order(ByteOrder.nativeOrder())
              .putShort((short) AF_NETLINK)
              .array();
    }
    long n =
        LIBC.sendto(fd, msg, new NativeLong(msg.length), 0, kernel, toKernel ? SOCKADDR_NL : 0)
            .longValue();
    if (n != msg.length) {
      throw failure.of(call, n < 0 ? Native.getLastError() : 0);
    }
  }

  /**
   * Receives one datagram of at most {@code len} bytes into {@code dst} through {@code
   * nativeBuffer} (at least {@code len} bytes).
   *
   * @return its length, {@link #TIMED_OUT} or {@link #OVERRUN}
   * @throws IOException {@code failure("recv", errno)} for any other error
   */
  static int receive(int fd, Memory nativeBuffer, byte[] dst, int len, Failure failure)
      throws IOException {
    long n = SocketReceive.recv(fd, nativeBuffer, len, 0);
    if (n < 0) {
      int errno = Native.getLastError();
      if (errno == EAGAIN || errno == EINTR) {
        return TIMED_OUT;
      }
      if (errno == ENOBUFS) {
        return OVERRUN;
      }
      throw failure.of("recv", errno);
    }
    nativeBuffer.read(0, dst, 0, (int) n);
    return (int) n;
  }

  /** Closes {@code fd}. */
  static void close(int fd, Failure failure) throws IOException {
    if (LIBC.close(fd) != 0) {
      throw failure.of("close", Native.getLastError());
    }
  }

  /** Closes {@code fd} on a path that is already failing; a second error adds nothing. */
  static void closeQuietly(int fd) {
    LIBC.close(fd);
  }

  private static void setOption(int fd, int option, byte[] value, String name, Failure failure)
      throws IOException {
    if (LIBC.setsockopt(fd, SOL_SOCKET, option, value, value.length) != 0) {
      throw failure.of("setsockopt(" + name + ")", Native.getLastError());
    }
  }

  private static byte[] ints(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }

  private interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] addr, int addrlen);

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen);

    NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrlen);

    int close(int fd);
  }
}
