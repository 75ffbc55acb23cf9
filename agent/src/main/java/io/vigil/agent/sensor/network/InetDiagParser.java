package io.vigil.agent.sensor.network;

import io.vigil.agent.packet.IpText;
import io.vigil.proto.v1.Transport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses one {@code inet_diag_msg} (the payload of a sock_diag dump message) into a {@link
 * SocketEntry}. Layout: {@code u8 family, state, timer, retrans}; {@code inet_diag_sockid} at +4
 * ({@code be16 sport, be16 dport, be32 src[4], be32 dst[4], u32 if, u32 cookie[2]}); then {@code
 * u32 expires, rqueue, wqueue, uid @+64, inode @+68}, host byte order. Trailing attributes are
 * ignored.
 *
 * <p>A message that is too short, of another family or with an impossible state is rejected and
 * counted, never thrown. Thread-safe.
 */
public final class InetDiagParser {
  /** Size of {@code struct inet_diag_msg}. */
  public static final int MESSAGE_BYTES = 72;

  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int MAX_TCP_STATE = 12; // TCP_NEW_SYN_RECV

  private final AtomicLong malformed = new AtomicLong();

  /**
   * The socket described by {@code msg}, or empty (and counted) when {@code msg} is malformed.
   *
   * @param transport the protocol the dump was requested for
   */
  public Optional<SocketEntry> parse(byte[] msg, Transport transport) {
    if (msg == null || msg.length < MESSAGE_BYTES) {
      return reject();
    }
    int family = msg[0] & 0xFF;
    int state = msg[1] & 0xFF;
    if ((family != AF_INET && family != AF_INET6) || state < 1 || state > MAX_TCP_STATE) {
      return reject();
    }
    int addrLen = family == AF_INET ? 4 : 16;
    ByteBuffer host = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
    return Optional.of(
        new SocketEntry(
            family,
            transport,
            state,
            IpText.of(msg, 8, addrLen),
            bigEndianPort(msg, 4),
            IpText.of(msg, 24, addrLen),
            bigEndianPort(msg, 6),
            Integer.toUnsignedLong(host.getInt(64)),
            Integer.toUnsignedLong(host.getInt(68))));
  }

  /** Messages rejected so far. */
  public long malformed() {
    return malformed.get();
  }

  private Optional<SocketEntry> reject() {
    malformed.incrementAndGet();
    return Optional.empty();
  }

  private static int bigEndianPort(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }
}
