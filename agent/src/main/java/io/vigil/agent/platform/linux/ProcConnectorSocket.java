package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
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
  public static final int EVENTS_LOST = NetlinkLibc.OVERRUN;

  /** Default kernel receive buffer; 1000 execs in under a second needed far less. */
  public static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;

  /** Default longest a {@link #receive} blocks, so the owning thread can notice a stop request. */
  public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofMillis(200);

  private static final int NETLINK_CONNECTOR = 11;
  private static final int CN_IDX_PROC = 1;
  private static final int CN_VAL_PROC = 1;
  private static final int NLMSG_DONE = 3;
  private static final int PROC_CN_MCAST_LISTEN = 1;
  private static final int PROC_CN_MCAST_IGNORE = 2;
  // The kernel sends one event per datagram (under 100 bytes); this leaves room for batching.
  private static final int NATIVE_BUFFER = 64 * 1024;

  private static final NetlinkLibc.Failure FAILURE =
      NetlinkLibc.needing("proc connector", "CAP_NET_ADMIN", NetlinkLibc.PLAIN);

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
    NetlinkLibc.requireSupported("proc connector");
    if (receiveBufferBytes <= 0 || receiveTimeout.isNegative() || receiveTimeout.isZero()) {
      throw new IllegalArgumentException("receive buffer and timeout must be positive");
    }
    int fd =
        NetlinkLibc.open(NetlinkLibc.SOCK_DGRAM, NETLINK_CONNECTOR, "NETLINK_CONNECTOR", FAILURE);
    ProcConnectorSocket s = new ProcConnectorSocket(fd);
    try {
      NetlinkLibc.bind(fd, CN_IDX_PROC, "bind(CN_IDX_PROC)", FAILURE);
      // Forced only: without CAP_NET_ADMIN the LISTEN below is refused anyway.
      NetlinkLibc.forceReceiveBuffer(fd, receiveBufferBytes, FAILURE);
      NetlinkLibc.setReceiveTimeout(fd, receiveTimeout, FAILURE);
      s.sendControl(PROC_CN_MCAST_LISTEN);
    } catch (IOException e) {
      NetlinkLibc.closeQuietly(fd);
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
    return NetlinkLibc.receive(fd, nativeBuffer, buf, want, FAILURE);
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
    try {
      NetlinkLibc.close(fd, FAILURE);
    } catch (IOException e) {
      if (ignoreFailure != null) {
        e.addSuppressed(ignoreFailure);
      }
      throw e;
    }
    if (ignoreFailure != null) {
      throw ignoreFailure;
    }
  }

  private void sendControl(int op) throws IOException {
    // nlmsghdr(16) + cn_msg(20) + u32 op
    ByteBuffer m = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    m.putInt(40).putShort((short) NLMSG_DONE).putShort((short) 0).putInt(0).putInt(0);
    m.putInt(CN_IDX_PROC).putInt(CN_VAL_PROC).putInt(0).putInt(0);
    m.putShort((short) 4).putShort((short) 0);
    m.putInt(op);
    String call = "send(" + (op == PROC_CN_MCAST_LISTEN ? "LISTEN" : "IGNORE") + ")";
    NetlinkLibc.send(fd, m.array(), false, call, FAILURE);
  }
}
