package io.vigil.agent.sensor.network;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.platform.linux.SockDiagSocket;
import io.vigil.agent.platform.linux.SocketProtocolName;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditListener;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connection sensor ({@code Event.sensor = "network"}). Real time: audit {@code connect} and
 * {@code accept} events arrive through {@link #onAuditEvent} (register this sensor as an {@link
 * AuditListener} of the audit feed) and become events with {@code source = "audit"} and the audit
 * record's time. Periodically, on its own daemon thread {@code vigil-net-snapshot}: a sock_diag
 * snapshot of every inet socket, inode to process through {@code /proc/PID/fd}, and an event with
 * {@code source = "sock_diag"} and the current time for each listening socket and each connection
 * not reported before (by audit or an earlier snapshot).
 *
 * <p>Snapshot events: LISTEN for a listening TCP socket or a bound, unconnected UDP socket, with
 * the local address as destination (where clients connect to); a TCP connection is INBOUND when its
 * local port is one that some local socket listens on (source = the peer), else OUTBOUND (source =
 * the local end); a connected UDP socket is OUTBOUND.
 *
 * <p>Thread-safe, except that {@link #onAuditEvent} must be called from one thread at a time (the
 * audit feed's single delivery thread, as {@link AuditListener} promises): it keeps the descriptors
 * of audited {@code socket()} calls unsynchronized. It never blocks beyond a readlink and one
 * {@code getxattr}; events go to {@link EventSink#offer}.
 */
public final class NetworkSensor implements Sensor, AuditListener {
  /** Sensor name and {@code Event.sensor}. */
  public static final String NAME = "network";

  /**
   * Settings.
   *
   * @param snapshotInterval time between sock_diag snapshots (the first is taken at start)
   * @param maxTrackedSockets sockets remembered as reported; each dump also keeps at most four
   *     times as many sockets
   */
  public record Options(Duration snapshotInterval, int maxTrackedSockets) {
    public Options {
      if (snapshotInterval.isNegative() || snapshotInterval.isZero()) {
        throw new IllegalArgumentException(
            "snapshotInterval must be positive: " + snapshotInterval);
      }
      if (maxTrackedSockets < 1) {
        throw new IllegalArgumentException("maxTrackedSockets must be positive");
      }
    }

    /** Every 30 s, 65536 sockets. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(30), 65_536);
    }
  }

  private static final int MAX_PROCESSES = 65_536;
  private static final int MAX_FDS_PER_PROCESS = 65_536;

  private final Options options;
  private final MetricsRegistry metrics;
  private final InetDiagParser parser = new InetDiagParser();
  private final SocketOwners owners;
  private final ProcessRefs processRefs;
  private final ConnectionTracker tracker;
  private final AuditConnections auditConnections;
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final AtomicLong snapshots = new AtomicLong();
  private final Counter snapshotProblems;
  private final Counter auditErrors;

  private volatile EventSink sink;
  private volatile LocalSockets localSockets;
  private volatile DnsAnswerCache answers;
  private volatile Map<Long, SocketEntry> listeningByInode = Map.of();
  private volatile String snapshotProblem = "";
  private volatile int unreadableProcesses;
  private volatile boolean ownerScanTruncated;
  private volatile boolean auditActive;
  private volatile String auditReason = "no audit feed attached";
  private volatile boolean started;
  private SockDiagSocket socket; // guarded by this
  private boolean closed; // guarded by this

  /** Watches the real {@code /proc}. */
  public NetworkSensor(Options options, ProcessDirectory processes, MetricsRegistry metrics) {
    this(options, processes, metrics, Path.of("/proc"));
  }

  NetworkSensor(
      Options options, ProcessDirectory processes, MetricsRegistry metrics, Path procRoot) {
    this.options = options;
    this.metrics = metrics;
    int max = options.maxTrackedSockets();
    this.owners = new SocketOwners(procRoot, MAX_PROCESSES, MAX_FDS_PER_PROCESS, 4 * max);
    this.processRefs =
        new ProcessRefs(
            processes,
            new ProcReader(procRoot, ProcReader.DEFAULT_MAX_ARGV_BYTES),
            bootTime(procRoot));
    // An audited socket waits two intervals for a snapshot to see it before it is forgotten.
    this.tracker = new ConnectionTracker(max, 2 * options.snapshotInterval().toNanos());
    this.auditConnections = new AuditConnections(processes, new Lookup(), metrics, max);
    this.snapshotProblems =
        metrics.counter(
            "vigil_network_snapshot_problems_total",
            "sock_diag snapshots that failed or were incomplete");
    this.auditErrors =
        metrics.counter(
            "vigil_network_audit_errors_total",
            "Audit events the network sensor failed to convert");
    metrics.gauge(
        "vigil_network_malformed_diag_messages",
        "sock_diag messages rejected as malformed",
        parser::malformed);
    metrics.gauge(
        "vigil_network_untracked_sockets",
        "Sockets reported but not remembered (tracker full): may be reported again",
        tracker::untracked);
    this.thread = new Thread(this::run, "vigil-net-snapshot");
    this.thread.setDaemon(true);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Shares what the packet sensor needs and gives: every connection emitted is remembered in {@code
   * sockets} (so flows and DNS queries get their process), and outbound connections get {@code
   * destination_hostname} from {@code answers} (DNS responses the capture saw). Call before {@link
   * #start}; without it connections carry no hostname.
   */
  public void shareWithPacketSensor(LocalSockets sockets, DnsAnswerCache answers) {
    this.localSockets = sockets;
    this.answers = answers;
  }

  @Override
  public void start(EventSink sink) {
    this.sink = sink;
    started = true;
    thread.start();
  }

  /**
   * Tells the sensor whether audit connect/accept records reach {@link #onAuditEvent}, for {@link
   * #state}. Call it after the audit feed started (or failed to).
   *
   * @param reason why audit is unavailable, e.g. the feed's start failure; ignored when active
   */
  public void auditActive(boolean active, String reason) {
    this.auditReason = active ? "" : reason;
    this.auditActive = active;
  }

  @Override
  public SensorState state() {
    long seconds = options.snapshotInterval().toSeconds();
    String snapshot = "sock_diag snapshots every " + seconds + "s";
    List<String> reasons = new ArrayList<>();
    if (!auditActive) {
      reasons.add("audit unavailable: " + auditReason);
    }
    String problem = snapshotProblem;
    if (!problem.isEmpty()) {
      reasons.add("sock_diag: " + problem);
    }
    int unreadable = unreadableProcesses;
    if (unreadable > 0) {
      reasons.add(
          unreadable
              + " processes' sockets unattributed: /proc/PID/fd unreadable (needs root or"
              + " CAP_SYS_PTRACE)");
    }
    if (ownerScanTruncated) {
      reasons.add(
          "socket owner scan hit its limits (processes, descriptors or sockets): some sockets"
              + " are reported without their process");
    }
    return SensorState.newBuilder()
        .setName(NAME)
        .setSource(auditActive ? "audit connect/accept + " + snapshot : snapshot + " only")
        .setDegraded(!reasons.isEmpty())
        .setReason(String.join("; ", reasons))
        .build();
  }

  @Override
  public void onAuditEvent(AuditEvent event) {
    try {
      Optional<AuditConnections.Converted> c = auditConnections.convert(event);
      EventSink s = sink;
      if (c.isEmpty() || s == null) {
        return;
      }
      tracker.reportedByAudit(c.get().socketInode(), System.nanoTime());
      s.offer(event(c.get().timestampNs(), c.get().connection()));
    } catch (RuntimeException e) {
      auditErrors.inc(); // the feed's thread must not die of one odd record
    }
  }

  /** Snapshots taken so far (complete or not). */
  public long snapshots() {
    return snapshots.get();
  }

  /** Takes one snapshot now and emits what is new; blocks for it. Used by the thread and tests. */
  synchronized void snapshotNow() {
    if (closed) {
      return;
    }
    SocketSnapshot snap;
    try {
      if (socket == null) {
        socket = SockDiagSocket.open();
      }
      snap = SocketSnapshot.take(socket, parser, 4 * options.maxTrackedSockets());
    } catch (IOException e) {
      snap = new SocketSnapshot(List.of(), false, e.getMessage());
    }
    SocketOwners.Scan scan = owners.scan();
    unreadableProcesses = scan.unreadable();
    ownerScanTruncated = scan.truncated();
    snapshotProblem = snap.problem();
    if (!snap.complete()) {
      snapshotProblems.inc();
    }
    emit(snap, scan);
    snapshots.incrementAndGet();
  }

  private void emit(SocketSnapshot snap, SocketOwners.Scan scan) {
    Map<Long, SocketEntry> listening = new HashMap<>();
    Set<Integer> tcpListenPorts = new HashSet<>();
    List<SocketEntry> reportable = new ArrayList<>();
    for (SocketEntry e : snap.sockets()) {
      if (e.listening()) {
        listening.put(e.inode(), e);
        if (e.transport() == Transport.TRANSPORT_TCP) {
          tcpListenPorts.add(e.localPort());
        }
        reportable.add(e);
      } else if (e.connection()) {
        reportable.add(e);
      }
    }
    listeningByInode = Map.copyOf(listening);
    EventSink s = sink;
    if (s == null) {
      return; // not started: nothing is remembered as reported either
    }
    long now = WallClock.nowNanos();
    Map<Integer, ProcessRef> refs = new HashMap<>();
    for (SocketEntry e : tracker.unreported(reportable, snap.complete(), System.nanoTime())) {
      Integer pid = scan.owners().get(e.inode());
      ProcessRef p =
          pid == null
              ? ProcessRefs.unknown(e.uid())
              : refs.computeIfAbsent(pid, k -> processRefs.of(k, e.uid()));
      s.offer(event(now, connection(e, tcpListenPorts, p)));
    }
  }

  static NetworkConnection connection(SocketEntry e, Set<Integer> tcpListenPorts, ProcessRef p) {
    NetworkConnection.Builder c =
        NetworkConnection.newBuilder()
            .setTransport(e.transport())
            .setProcess(p)
            .setSource("sock_diag");
    if (e.listening()) {
      return c.setDirection(Direction.DIRECTION_LISTEN)
          .setDestinationIp(e.localIp())
          .setDestinationPort(e.localPort())
          .build();
    }
    boolean inbound =
        e.transport() == Transport.TRANSPORT_TCP
            && e.state() != SocketEntry.TCP_SYN_SENT
            && tcpListenPorts.contains(e.localPort());
    if (inbound) {
      return c.setDirection(Direction.DIRECTION_INBOUND)
          .setSourceIp(e.remoteIp())
          .setSourcePort(e.remotePort())
          .setDestinationIp(e.localIp())
          .setDestinationPort(e.localPort())
          .build();
    }
    return c.setDirection(Direction.DIRECTION_OUTBOUND)
        .setSourceIp(e.localIp())
        .setSourcePort(e.localPort())
        .setDestinationIp(e.remoteIp())
        .setDestinationPort(e.remotePort())
        .build();
  }

  /** Every connection event is built here: the one place the packet sensor's context is used. */
  private Event.Builder event(long timeNs, NetworkConnection c) {
    LocalSockets ls = localSockets;
    if (ls != null) {
      ls.remember(c, timeNs);
    }
    DnsAnswerCache a = answers;
    if (a != null
        && c.getDirection() == Direction.DIRECTION_OUTBOUND
        && !c.getDestinationIp().isEmpty()) {
      String host = a.hostnameFor(c.getDestinationIp(), WallClock.nowNanos());
      if (host != null) {
        c = c.toBuilder().setDestinationHostname(host).build();
      }
    }
    return Event.newBuilder().setSensor(NAME).setEventTimeNs(timeNs).setConnection(c);
  }

  private void run() {
    long intervalNanos = options.snapshotInterval().toNanos();
    try {
      do {
        try {
          snapshotNow();
        } catch (RuntimeException e) {
          // one bad snapshot must not end the thread; the status event carries the reason
          snapshotProblems.inc();
          snapshotProblem = "snapshot failed: " + e;
        }
      } while (!stop.await(intervalNanos, TimeUnit.NANOSECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop.countDown();
    if (started) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      closed = true;
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // nothing left to release: the descriptor is gone either way
        }
        socket = null;
      }
    }
  }

  private static BootTime bootTime(Path procRoot) {
    try {
      return BootTime.read(procRoot, ProcessSelfStats.clockTicks());
    } catch (IOException | RuntimeException e) {
      return null; // minimal process refs then carry no entity id
    }
  }

  /** Answers {@link AuditConnections} from {@code /proc} and the latest snapshot. */
  private final class Lookup implements SocketLookup {
    @Override
    public OptionalLong inode(int pid, long fd) {
      return owners.socketInode(pid, fd);
    }

    @Override
    public Transport transport(int pid, long fd) {
      if (pid <= 0 || fd < 0) {
        return Transport.TRANSPORT_UNSPECIFIED;
      }
      String name = SocketProtocolName.of(owners.fdPath(pid, fd).toString()).orElse("");
      return switch (name) {
        case "TCP", "TCPv6" -> Transport.TRANSPORT_TCP;
        case "UDP", "UDPv6" -> Transport.TRANSPORT_UDP;
        default -> Transport.TRANSPORT_UNSPECIFIED;
      };
    }

    @Override
    public Optional<SocketEntry> listening(long inode) {
      return Optional.ofNullable(listeningByInode.get(inode));
    }
  }
}
