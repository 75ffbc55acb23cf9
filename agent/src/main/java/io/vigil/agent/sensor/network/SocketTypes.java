package io.vigil.agent.sensor.network;

import io.vigil.proto.v1.Transport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What each audited {@code socket()} call created, by (pid, descriptor): TCP, UDP, ICMP or
 * "something else" ({@link Transport#TRANSPORT_UNSPECIFIED}, e.g. SCTP or a raw socket). A later
 * connect or accept on that descriptor learns its transport here even when the descriptor is
 * already closed by the time the record is read, which is the common case for short connections.
 *
 * <p>Bounded: at most {@code capacity} descriptors, the least recently used forgotten first. No
 * entry is removed on close (audit does not see close); a new {@code socket()} that reuses the
 * number overwrites the entry, and entries of exited processes age out.
 *
 * <p>Not thread-safe: confined to the audit feed's single delivery thread (see {@link
 * io.vigil.agent.sensor.process.audit.AuditListener}).
 */
final class SocketTypes {
  static final int SOCK_STREAM = 1;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_RAW = 3;

  private static final int IPPROTO_ICMP = 1;
  private static final int IPPROTO_TCP = 6;
  private static final int IPPROTO_UDP = 17;
  private static final int IPPROTO_ICMPV6 = 58;

  /** The low bits of {@code socket()}'s type argument; the rest are SOCK_NONBLOCK/SOCK_CLOEXEC. */
  private static final long TYPE_MASK = 0xf;

  private final Map<Long, Transport> byDescriptor;

  SocketTypes(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.byDescriptor =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Long, Transport> eldest) {
            return size() > capacity;
          }
        };
  }

  /**
   * Remembers that {@code pid} created descriptor {@code fd} with {@code socket(family, type,
   * protocol)}; replaces what was known about that descriptor. Ignores impossible pids and fds.
   */
  void created(int pid, long fd, long type, long protocol) {
    Long key = key(pid, fd);
    if (key != null) {
      byDescriptor.put(key, transport(type, protocol));
    }
  }

  /** Forgets {@code fd} of {@code pid}: it now names something that is not an inet socket. */
  void forget(int pid, long fd) {
    Long key = key(pid, fd);
    if (key != null) {
      byDescriptor.remove(key);
    }
  }

  /**
   * What the {@code socket()} call that created {@code fd} in {@code pid} said; empty when no such
   * call was seen (created before the agent started, inherited, or forgotten). A present {@link
   * Transport#TRANSPORT_UNSPECIFIED} means it was seen and is neither TCP, UDP nor ICMP.
   */
  Optional<Transport> find(int pid, long fd) {
    Long key = key(pid, fd);
    return key == null ? Optional.empty() : Optional.ofNullable(byDescriptor.get(key));
  }

  /** Descriptors remembered. */
  int size() {
    return byDescriptor.size();
  }

  /** The transport of an inet socket of {@code type} and {@code protocol} (0 = the default). */
  static Transport transport(long type, long protocol) {
    long t = type & TYPE_MASK;
    if (t == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) {
      return Transport.TRANSPORT_TCP;
    }
    if (t == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) {
      return Transport.TRANSPORT_UDP;
    }
    // ping sockets (SOCK_DGRAM) and raw sockets naming ICMP
    if ((t == SOCK_DGRAM || t == SOCK_RAW)
        && (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6)) {
      return Transport.TRANSPORT_ICMP;
    }
    return Transport.TRANSPORT_UNSPECIFIED;
  }

  private static Long key(int pid, long fd) {
    if (pid <= 0 || fd < 0 || fd > Integer.MAX_VALUE) {
      return null;
    }
    return ((long) pid << 32) | fd;
  }
}
