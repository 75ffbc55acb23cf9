package io.vigil.agent.sensor.network;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditProcessRef;
import io.vigil.agent.sensor.process.audit.AuditRecord;
import io.vigil.agent.sensor.process.audit.AuditRecordTypes;
import io.vigil.agent.sensor.process.audit.rules.AuditArch;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns an audit event of a {@code connect} or {@code accept}/{@code accept4} system call (SYSCALL
 * record plus SOCKADDR record) into a {@link NetworkConnection} with {@code source = "audit"}, and
 * remembers what each audited inet {@code socket()} call created (no event of its own).
 *
 * <ul>
 *   <li>connect: OUTBOUND, destination from {@code saddr}. The source address and port are not in
 *       the audit record and are left empty: finding them would need a sock_diag dump per connect.
 *       Kept when it succeeded or failed with {@code EINPROGRESS} (a non-blocking connect, a real
 *       attempt); other failures (refused, unreachable) are counted and dropped, as the event has
 *       no result field.
 *   <li>accept: INBOUND, source = the peer from {@code saddr}; destination = the listening socket
 *       ({@code a0}) when the latest snapshot knows it (its address is empty when it listens on the
 *       wildcard address). Only successful accepts. An accept that passed no address buffer has no
 *       SOCKADDR record and is counted as {@code no_sockaddr}.
 *   <li>TCP, UDP or ICMP, first found of: the audited {@code socket()} call that created the
 *       descriptor ({@code a0} of connect and accept: type and protocol, see {@link SocketTypes});
 *       the protocol name of the descriptor if it is still open; for accept, the listening socket
 *       of the snapshot; then what the call itself proves: only stream sockets accept, and only a
 *       TCP connect returns {@code EINPROGRESS} (SCTP would too, but is rare and its socket() call
 *       is normally seen); else unspecified.
 *   <li>process: the {@link ProcessDirectory}; else pid, exe, uid and PROCTITLE of the record,
 *       without entity id.
 * </ul>
 *
 * Other address families (AF_UNIX, AF_NETLINK, ...) and unknown architectures are counted in {@code
 * vigil_network_audit_skipped_total{reason}}. Not thread-safe: call it from one thread, the audit
 * feed's delivery thread (as {@link NetworkSensor#onAuditEvent} does); never blocks beyond the
 * lookups.
 */
public final class AuditConnections {
  /** Metric counting audit socket calls that produced no event, by reason. */
  public static final String SKIPPED = "vigil_network_audit_skipped_total";

  private static final long EINPROGRESS = -115;

  /**
   * A converted event.
   *
   * @param connection the connection, {@code source = "audit"}
   * @param timestampNs the audit event's time, UTC ns
   * @param socketInode the inode of the connection's socket, 0 when the descriptor was already gone
   */
  public record Converted(NetworkConnection connection, long timestampNs, long socketInode) {}

  /** Descriptors whose {@code socket()} call is remembered, by default. */
  public static final int DEFAULT_SOCKET_TYPES = 65_536;

  private enum Call {
    SOCKET,
    CONNECT,
    ACCEPT
  }

  private final ProcessDirectory processes;
  private final SocketLookup sockets;
  private final MetricsRegistry metrics;
  private final SocketTypes socketTypes;

  /** Remembers {@link #DEFAULT_SOCKET_TYPES} socket() calls. */
  public AuditConnections(
      ProcessDirectory processes, SocketLookup sockets, MetricsRegistry metrics) {
    this(processes, sockets, metrics, DEFAULT_SOCKET_TYPES);
  }

  /**
   * @param socketTypes how many (pid, descriptor) → transport entries from socket() calls to keep
   */
  public AuditConnections(
      ProcessDirectory processes, SocketLookup sockets, MetricsRegistry metrics, int socketTypes) {
    this.processes = processes;
    this.sockets = sockets;
    this.metrics = metrics;
    this.socketTypes = new SocketTypes(socketTypes);
  }

  /** The connection in {@code event}, or empty when it is not a connect/accept or is skipped. */
  public Optional<Converted> convert(AuditEvent event) {
    AuditRecord sys = event.first(AuditRecordTypes.SYSCALL);
    if (sys == null) {
      return Optional.empty();
    }
    Call call = call(sys);
    if (call == null) {
      return Optional.empty();
    }
    if (call == Call.SOCKET) {
      rememberSocket(sys);
      return Optional.empty();
    }
    AuditRecord sockaddrRecord = event.first(AuditRecordTypes.SOCKADDR);
    if (sockaddrRecord == null) {
      return skip("no_sockaddr");
    }
    Sockaddr addr = Sockaddr.decode(sockaddrRecord.bytes("saddr"));
    if (addr == null) {
      return skip("bad_sockaddr");
    }
    switch (addr.family()) {
      case Sockaddr.AF_INET, Sockaddr.AF_INET6 -> {}
      case Sockaddr.AF_UNIX -> {
        return skip("family_unix");
      }
      case Sockaddr.AF_NETLINK -> {
        return skip("family_netlink");
      }
      default -> {
        return skip("family_other");
      }
    }
    boolean success = "yes".equals(sys.text("success"));
    OptionalLong exit = signed(sys.text("exit"));
    boolean inProgress = exit.isPresent() && exit.getAsLong() == EINPROGRESS;
    if (!success && !(call == Call.CONNECT && inProgress)) {
      return skip("failed");
    }
    int pid = sys.id("pid", 0);
    OptionalLong a0 = sys.number("a0", true);
    NetworkConnection.Builder c = NetworkConnection.newBuilder().setSource("audit");
    long inode;
    Transport transport;
    // What socket() said about a0 is final; else ask the live descriptor, else infer below.
    Optional<Transport> created = socketTypes.find(pid, a0.orElse(-1));
    if (call == Call.CONNECT) {
      long fd = a0.orElse(-1);
      inode = sockets.inode(pid, fd).orElse(0);
      transport = created.orElseGet(() -> sockets.transport(pid, fd));
      if (transport == Transport.TRANSPORT_UNSPECIFIED && created.isEmpty() && inProgress) {
        transport = Transport.TRANSPORT_TCP; // UDP connects never wait
      }
      c.setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
          .setDestinationIp(addr.ip())
          .setDestinationPort(addr.port());
    } else {
      long fd = exit.orElse(-1);
      inode = sockets.inode(pid, fd).orElse(0);
      transport = created.orElseGet(() -> sockets.transport(pid, fd));
      c.setDirection(NetworkConnection.Direction.DIRECTION_INBOUND)
          .setSourceIp(addr.ip())
          .setSourcePort(addr.port());
      OptionalLong listenInode = a0.isPresent() ? sockets.inode(pid, a0.getAsLong()) : a0;
      if (listenInode.isPresent()) {
        Optional<SocketEntry> listen = sockets.listening(listenInode.getAsLong());
        if (listen.isPresent()) {
          SocketEntry l = listen.get();
          if (!isWildcard(l.localIp())) {
            c.setDestinationIp(l.localIp());
          }
          c.setDestinationPort(l.localPort());
          if (transport == Transport.TRANSPORT_UNSPECIFIED && created.isEmpty()) {
            transport = l.transport();
          }
        }
      }
      if (transport == Transport.TRANSPORT_UNSPECIFIED && created.isEmpty()) {
        transport = Transport.TRANSPORT_TCP; // inet sockets that accept are stream sockets
      }
    }
    c.setTransport(transport).setProcess(process(pid, event));
    return Optional.of(new Converted(c.build(), event.timestampNs(), inode));
  }

  /** A successful socket(AF_INET or AF_INET6, type, protocol): exit is the new descriptor. */
  private void rememberSocket(AuditRecord sys) {
    OptionalLong fd = signed(sys.text("exit"));
    OptionalLong type = sys.number("a1", true);
    OptionalLong protocol = sys.number("a2", true);
    if (!"yes".equals(sys.text("success")) || fd.isEmpty() || type.isEmpty()) {
      return;
    }
    int pid = sys.id("pid", 0);
    long family = sys.number("a0", true).orElse(-1);
    if (family == Sockaddr.AF_INET || family == Sockaddr.AF_INET6) {
      socketTypes.created(pid, fd.getAsLong(), type.getAsLong(), protocol.orElse(0));
    } else {
      socketTypes.forget(pid, fd.getAsLong()); // another rule's record: the number is reused
    }
  }

  private ProcessRef process(int pid, AuditEvent event) {
    Optional<ProcessRef> known = pid > 0 ? processes.find(pid) : Optional.empty();
    return known.orElseGet(() -> AuditProcessRef.of(pid, event));
  }

  private Call call(AuditRecord sys) {
    OptionalLong n = sys.number("syscall", false);
    if (n.isEmpty()) {
      return null;
    }
    long nr = n.getAsLong();
    Optional<AuditArch> arch = AuditArch.ofRecordField(sys.text("arch"));
    if (arch.isEmpty()) {
      counter("unknown_arch").inc(); // e.g. a 32-bit process: its numbers mean other calls
      return null;
    }
    AuditArch a = arch.get();
    if (nr == a.connect()) {
      return Call.CONNECT;
    }
    if (nr == a.accept() || nr == a.accept4()) {
      return Call.ACCEPT;
    }
    return nr == a.socket() ? Call.SOCKET : null;
  }

  private Optional<Converted> skip(String reason) {
    counter(reason).inc();
    return Optional.empty();
  }

  private Counter counter(String reason) {
    return metrics.counter(
        SKIPPED,
        "Audit connect/accept records that produced no connection event",
        "reason",
        reason);
  }

  private static boolean isWildcard(String ip) {
    return ip.equals("0.0.0.0") || ip.equals("::");
  }

  private static OptionalLong signed(String text) {
    if (text == null || text.isEmpty() || text.length() > 20) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
