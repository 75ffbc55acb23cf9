package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code NETLINK_SOCK_DIAG} socket that dumps the host's inet sockets (one family and protocol
 * per request) as raw {@code inet_diag_msg} payloads, to be parsed by {@code InetDiagParser}.
 * Unprivileged callers see every socket too (with uid and inode); only the process owning a socket
 * needs {@code /proc} access to find.
 *
 * <p>Not thread-safe: one thread owns the socket and calls {@link #dump} and {@link #close}. A dump
 * blocks until the kernel's {@code NLMSG_DONE}, each receive for at most the receive timeout (one
 * second), and holds at most {@code maxMessages} payloads in memory.
 */
public final class SockDiagSocket implements AutoCloseable {
  /** Address families for {@link #dump}. */
  public static final int AF_INET = 2;

  public static final int AF_INET6 = 10;

  /** Protocols for {@link #dump}. */
  public static final int IPPROTO_TCP = 6;

  public static final int IPPROTO_UDP = 17;

  /** States mask that asks for sockets in every state. */
  public static final int ALL_STATES = 0xFFFF_FFFF;

  private static final int NETLINK_SOCK_DIAG = 4;
  private static final int SOCK_DIAG_BY_FAMILY = 20;
  private static final int NLM_F_REQUEST = 0x1;
  private static final int NLM_F_DUMP = 0x300;
  private static final int NLM_F_DUMP_INTR = 0x10;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NLMSG_HDRLEN = 16;
  private static final int REQUEST_LEN = NLMSG_HDRLEN + 56;
  private static final int MSG_TRUNC = 0x20;
  // The kernel fills dump datagrams up to 32 KiB; MSG_TRUNC tells if one was ever larger.
  private static final int NATIVE_BUFFER = 64 * 1024;

  // One second: a dump normally answers in milliseconds; this only bounds a kernel that never
  // sends NLMSG_DONE.
  private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * One dump's result.
   *
   * @param messages the {@code inet_diag_msg} payloads (netlink header removed), in kernel order
   * @param truncated more sockets existed than {@code maxMessages}; the rest were read and dropped
   * @param interrupted the kernel flagged the dump as inconsistent ({@code NLM_F_DUMP_INTR}: the
   *     socket table changed during it), so a socket may be missing or listed twice
   */
  public record Dump(List<byte[]> messages, boolean truncated, boolean interrupted) {
    public Dump {
      messages = List.copyOf(messages);
    }
  }

  private final int fd;
  private final Memory nativeBuffer = new Memory(NATIVE_BUFFER);
  private final byte[] buffer = new byte[NATIVE_BUFFER];
  private int sequence;
  private boolean closed;

  private SockDiagSocket(int fd) {
    this.fd = fd;
  }

  /**
   * Opens the socket.
   *
   * @throws IOException when the platform or the kernel refuses (no {@code CONFIG_INET_DIAG})
   */
  public static SockDiagSocket open() throws IOException {
    NetlinkLibc.requireSupported("sock_diag");
    int fd =
        NetlinkLibc.open(
            NetlinkLibc.SOCK_DGRAM, NETLINK_SOCK_DIAG, "NETLINK_SOCK_DIAG", NetlinkLibc.PLAIN);
    try {
      NetlinkLibc.setReceiveTimeout(fd, RECEIVE_TIMEOUT, NetlinkLibc.PLAIN);
    } catch (IOException e) {
      NetlinkLibc.closeQuietly(fd);
      throw e;
    }
    return new SockDiagSocket(fd);
  }

  /**
   * Dumps the sockets of one family and protocol.
   *
   * @param family {@link #AF_INET} or {@link #AF_INET6}
   * @param protocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
   * @param states bit {@code 1 << state} for each TCP state wanted, {@link #ALL_STATES} for all
   * @param maxMessages payloads kept at most
   * @throws IOException when the kernel answers with an error, a datagram is malformed or the
   *     answer stops coming (timeout); the socket stays usable for the next dump
   */
  public Dump dump(int family, int protocol, int states, int maxMessages) throws IOException {
    if (closed) {
      throw new IOException("sock_diag socket is closed");
    }
    if (maxMessages < 0) {
      throw new IllegalArgumentException("maxMessages must be >= 0: " + maxMessages);
    }
    int seq = ++sequence;
    send(request(family, protocol, states, seq));
    Collector c = new Collector(seq, maxMessages);
    while (!c.done) {
      int n = receive();
      c.accept(ByteBuffer.wrap(buffer, 0, n).order(ByteOrder.nativeOrder()));
    }
    return new Dump(c.messages, c.truncated, c.interrupted);
  }

  /** Closes the descriptor; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    NetlinkLibc.close(fd, NetlinkLibc.PLAIN);
  }

  /** nlmsghdr + inet_diag_req_v2 with a zero sockid (no filter). */
  static byte[] request(int family, int protocol, int states, int seq) {
    ByteBuffer m = ByteBuffer.allocate(REQUEST_LEN).order(ByteOrder.nativeOrder());
    m.putInt(REQUEST_LEN)
        .putShort((short) SOCK_DIAG_BY_FAMILY)
        .putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
        .putInt(seq)
        .putInt(0);
    m.put((byte) family).put((byte) protocol).put((byte) 0).put((byte) 0).putInt(states);
    return m.array(); // the 48-byte inet_diag_sockid stays zero
  }

  private void send(byte[] request) throws IOException {
    NetlinkLibc.send(fd, request, false, "send(SOCK_DIAG_BY_FAMILY)", NetlinkLibc.PLAIN);
  }

  private int receive() throws IOException {
    while (true) {
      // Direct-mapped: a dump of a busy host is hundreds of datagrams.
      long n = SocketReceive.recv(fd, nativeBuffer, NATIVE_BUFFER, MSG_TRUNC);
      if (n < 0) {
        int errno = Native.getLastError();
        if (errno == NetlinkLibc.EINTR) {
          continue;
        }
        throw new IOException(
            errno == NetlinkLibc.EAGAIN
                ? "sock_diag dump timed out before NLMSG_DONE"
                : "recv(sock_diag) failed with errno " + errno);
      }
      if (n > NATIVE_BUFFER) {
        throw new IOException("sock_diag datagram of " + n + " bytes exceeds the buffer");
      }
      nativeBuffer.read(0, buffer, 0, (int) n);
      return (int) n;
    }
  }

  /**
   * Walks the netlink messages of one dump's datagrams. Package-private and pure so that the bounds
   * checks are tested on crafted bytes.
   */
  static final class Collector {
    final int seq;
    final int maxMessages;
    final List<byte[]> messages = new ArrayList<>();
    boolean done;
    boolean truncated;
    boolean interrupted;

    Collector(int seq, int maxMessages) {
      this.seq = seq;
      this.maxMessages = maxMessages;
    }

    /** Takes one datagram (native byte order, position at its start). */
    void accept(ByteBuffer d) throws IOException {
      while (d.remaining() >= NLMSG_HDRLEN && !done) {
        int start = d.position();
        int len = d.getInt(start);
        int type = Short.toUnsignedInt(d.getShort(start + 4));
        int flags = Short.toUnsignedInt(d.getShort(start + 6));
        int msgSeq = d.getInt(start + 8);
        if (len < NLMSG_HDRLEN || len > d.remaining()) {
          throw new IOException("malformed netlink message length " + len);
        }
        if (msgSeq == seq) {
          interrupted |= (flags & NLM_F_DUMP_INTR) != 0;
          handle(d, start, len, type);
        } // else: the answer to an earlier dump that was abandoned on error; skip it
        int next = start + ((len + 3) & ~3);
        d.position(Math.min(next, d.limit()));
      }
    }

    private void handle(ByteBuffer d, int start, int len, int type) throws IOException {
      if (type == NLMSG_DONE) {
        done = true;
      } else if (type == NLMSG_ERROR) {
        int errno = len >= NLMSG_HDRLEN + 4 ? -d.getInt(start + NLMSG_HDRLEN) : 0;
        throw new IOException("sock_diag dump refused with errno " + errno);
      } else if (type == SOCK_DIAG_BY_FAMILY) {
        if (messages.size() >= maxMessages) {
          truncated = true;
          return;
        }
        byte[] payload = new byte[len - NLMSG_HDRLEN];
        d.get(start + NLMSG_HDRLEN, payload);
        messages.add(payload);
      }
    }
  }
}
