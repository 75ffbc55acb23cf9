package io.vigil.agent.sensor.packet;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.PacketPipeline;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.platform.linux.NetworkNamespace;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.Reduction;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.network.LocalSockets;
import io.vigil.common.config.HostPort;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packet sensor ({@code Event.sensor = "packet"}): live capture of each configured interface
 * through libpcap into a {@link PacketPipeline} of its own, which emits flows and DNS events. Each
 * interface has a capture thread ({@code vigil-capture-IFACE}) blocked in {@link LiveCapture#loop};
 * one clock thread ({@code vigil-capture-clock}) advances every pipeline by the wall clock once a
 * second, so flows on a quiet interface still time out (the capture thread cannot, while libpcap
 * blocks it). A pipeline is single-threaded, so a lock per interface serializes the two threads
 * (uncontended but for one advance a second).
 *
 * <p>An interface inside another network namespace ({@code netns:NAME/IFACE}, {@link
 * CaptureTarget}) is opened by its capture thread after entering the namespace; that namespace's
 * addresses, read once when it opens, decide which end of its traffic is local.
 *
 * <p>Flows, DNS, TLS and HTTP events get their local process from {@link LocalSockets}, which the
 * connection sensor fills; the pipeline's {@link DnsAnswerCache} is the agent's one cache, read by
 * the connection sensor for {@code destination_hostname}.
 *
 * <p>An interface that cannot be opened (missing, no CAP_NET_RAW, libpcap absent, a bad filter)
 * leaves the sensor degraded with the reason, never stops the agent. Thread-safe; {@link #start}
 * once.
 */
public final class PacketSensor implements Sensor {
  /** Sensor name and {@code Event.sensor}. */
  public static final String NAME = "packet";

  /** How long libpcap may hold packets to batch them. */
  static final int BATCH_MILLIS = 100;

  /** Pipelines are advanced to this much before now: packets libpcap still holds are older. */
  static final long ADVANCE_LAG_NS = 1_000_000_000L;

  private static final long TICK_MILLIS = 1000;

  /** How long an event waits at least for its local client's connect to be known (see defer). */
  private static final long DEFER_NANOS = 300_000_000L;

  /** Events waiting for their local client at most. */
  private static final int MAX_DEFERRED = 1024;

  /** {@link #client}'s answer when no process is known (null there means: wait). */
  private static final ProcessRef NOBODY = ProcessRef.getDefaultInstance();

  private static final int LOCAL_ADDRESS_REFRESH_TICKS = 30;
  private static final long OPEN_WAIT_SECONDS = 30;

  /**
   * Settings.
   *
   * @param interfaces interface names, one capture each, in {@link CaptureTarget} form
   * @param filter the operator's BPF expression, "" for everything
   * @param snapLength bytes kept of each packet
   * @param bufferBytes kernel capture buffer per interface
   * @param excludeCollector the collector to leave out of the capture (resolved at start)
   * @param flows flow table settings
   */
  public record Options(
      List<String> interfaces,
      String filter,
      int snapLength,
      int bufferBytes,
      Optional<HostPort> excludeCollector,
      FlowOptions flows) {
    public Options {
      interfaces = List.copyOf(interfaces);
      if (interfaces.isEmpty()) {
        throw new IllegalArgumentException("at least one interface");
      }
      interfaces.forEach(CaptureTarget::parse);
      Objects.requireNonNull(filter);
      Objects.requireNonNull(excludeCollector);
      Objects.requireNonNull(flows);
    }
  }

  private final Options options;
  private final DnsAnswerCache answers;
  private final LocalSockets sockets;
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final java.util.concurrent.ConcurrentLinkedQueue<Deferred> deferred =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger deferredCount =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile List<Capture> captures = List.of();
  private volatile String filter = "";
  private volatile String library = "";
  private volatile EventSink sink;
  private volatile Reduction appParsing = Reduction.never();
  private Thread clock; // set in start
  private boolean started; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param answers the agent's DNS answer cache (the connection sensor reads it)
   * @param sockets the agent's socket owners (the connection sensor fills it)
   */
  public PacketSensor(Options options, DnsAnswerCache answers, LocalSockets sockets) {
    this.options = options;
    this.answers = answers;
    this.sockets = sockets;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Registers what the capture gives up while the agent is over its budget: application parsing
   * (DNS, HTTP, TLS, QUIC), keeping flows. Call before {@link #start}.
   */
  public void reduceAtBudget(DetailLevel detail) {
    appParsing =
        detail.reduction("packet_app_parsing", "packet: flows only, no DNS/HTTP/TLS parsing");
  }

  @Override
  public synchronized void start(EventSink sink) {
    if (started || closed) {
      return;
    }
    started = true;
    this.sink = sink;
    this.filter = effectiveFilter();
    refreshLocalAddresses();
    try {
      library = LibpcapLocation.configure();
    } catch (RuntimeException e) {
      library = "pcap";
    }
    List<Capture> opened = new ArrayList<>();
    for (String spec : options.interfaces()) {
      Capture c = new Capture(CaptureTarget.parse(spec));
      c.thread.start();
      String problem = c.awaitOpen();
      if (problem == null) {
        opened.add(c);
      } else {
        problems.add(problem);
      }
    }
    captures = List.copyOf(opened);
    clock = new Thread(this::tick, "vigil-capture-clock");
    clock.setDaemon(true);
    clock.start();
  }

  /** The BPF expression in use (after {@link #start}), the collector's exclusion included. */
  public String filter() {
    return filter;
  }

  @Override
  public SensorState state() {
    List<String> reasons = new ArrayList<>(problems);
    List<String> running = new ArrayList<>();
    for (Capture c : captures) {
      String f = c.failure;
      if (f != null) {
        reasons.add(f);
      } else {
        running.add(c.iface);
      }
    }
    String source =
        "libpcap"
            + (library.isEmpty() ? "" : " (" + library + ")")
            + " on "
            + (running.isEmpty() ? "no interface" : String.join(", ", running))
            + (filter.isEmpty() ? "" : ", filter \"" + filter + "\"");
    return SensorState.newBuilder()
        .setName(NAME)
        .setSource(source)
        .setDegraded(!reasons.isEmpty())
        .setReason(String.join("; ", reasons))
        .build();
  }

  /** Counters of each interface opened, for {@code AgentStatus.captures}. Thread-safe. */
  public List<CaptureCounters> captureCounters() {
    List<CaptureCounters> out = new ArrayList<>();
    for (Capture c : captures) {
      out.add(c.counters());
    }
    return out;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stop.countDown();
    Thread t = clock;
    if (t != null) {
      join(t);
    }
    for (Capture c : captures) {
      c.stop();
    }
    for (Capture c : captures) {
      c.finish();
    }
    sendDeferred(true);
  }

  private String effectiveFilter() {
    if (options.excludeCollector().isEmpty()) {
      return options.filter().strip();
    }
    HostPort collector = options.excludeCollector().get();
    List<String> addresses = new ArrayList<>();
    try {
      for (InetAddress a : InetAddress.getAllByName(collector.host())) {
        addresses.add(IpText.of(a.getAddress(), 0, a.getAddress().length));
      }
    } catch (UnknownHostException | SecurityException e) {
      problems.add(
          "collector host "
              + collector.host()
              + " could not be resolved, so its traffic is not excluded from capture: "
              + e.getMessage());
    }
    return CaptureFilter.combine(options.filter(), addresses, collector.port());
  }

  private void refreshLocalAddresses() {
    Set<String> local = new HashSet<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          byte[] b = a.getAddress();
          local.add(IpText.of(b, 0, b.length));
        }
      }
    } catch (SocketException | RuntimeException e) {
      return; // keep the previous set; only wildcard matches depend on it
    }
    sockets.localAddresses(local);
  }

  private void tick() {
    int ticks = 0;
    try {
      while (!stop.await(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
        long now = WallClock.nowNanos() - ADVANCE_LAG_NS;
        for (Capture c : captures) {
          c.advance(now);
        }
        sendDeferred(false);
        if (++ticks % LOCAL_ADDRESS_REFRESH_TICKS == 0) {
          refreshLocalAddresses();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Called by a pipeline, under its capture's lock: names the process, hands the event on. */
  private void deliver(Event.Builder event, Set<String> local) {
    Set<String> here = local != null ? local : sockets.localAddresses();
    if (!attribute(event, here, false) && defer(event, here)) {
      return; // decoded before the local client's audit connect was handled: retried at a tick
    }
    offer(event);
  }

  /**
   * Names the local process of the event. Returns false, leaving the event unnamed, when the event
   * is a DNS question, TLS hello or HTTP request from a local client whose socket is not known yet
   * and {@code last} is false: a packet from a nearby peer can be decoded before the audit record
   * of the client's {@code connect} has been handled (both take milliseconds, on different
   * threads), and naming the server's listener or nobody then would be wrong. With {@code last} the
   * best process known is set, or none. Flows are named at once: they end seconds later.
   */
  private boolean attribute(Event.Builder event, Set<String> here, boolean last) {
    try {
      if (event.hasFlow()) {
        Flow.Builder f = event.getFlowBuilder();
        ProcessRef p =
            owner(
                f.getTransport(),
                f.getSourceIp(),
                f.getSourcePort(),
                f.getDestinationIp(),
                f.getDestinationPort(),
                f.getStartTimeNs(),
                here);
        if (p != null) {
          f.setProcess(p);
        }
      } else if (event.hasDns()) {
        DnsEvent.Builder d = event.getDnsBuilder();
        if (!attributable(d.getTransport())) {
          return true;
        }
        ProcessRef p =
            sockets.querierOf(
                d.getTransport(),
                d.getClientIp(),
                d.getClientPort(),
                d.getServerIp(),
                d.getServerPort(),
                event.getEventTimeNs(),
                here);
        if (p == null) {
          return last;
        }
        d.setProcess(p);
      } else if (event.hasTls()) {
        TlsEvent.Builder t = event.getTlsBuilder();
        ProcessRef p =
            client(
                t.getTransport(),
                t.getClientIp(),
                t.getClientPort(),
                t.getServerIp(),
                t.getServerPort(),
                event.getEventTimeNs(),
                here,
                last);
        if (p == null) {
          return false;
        }
        if (p != NOBODY) {
          t.setProcess(p);
        }
      } else if (event.hasHttp()) {
        HttpEvent.Builder h = event.getHttpBuilder();
        ProcessRef p =
            client(
                h.getTransport(),
                h.getClientIp(),
                h.getClientPort(),
                h.getServerIp(),
                h.getServerPort(),
                event.getEventTimeNs(),
                here,
                last);
        if (p == null) {
          return false;
        }
        if (p != NOBODY) {
          h.setProcess(p);
        }
      }
    } catch (RuntimeException e) {
      // attribution is best effort: the event goes out without a process
    }
    return true;
  }

  /**
   * The process of a client-to-server exchange: null to wait for a local client not known yet
   * (unless {@code last}), {@link #NOBODY} when no process is known.
   */
  private ProcessRef client(
      Transport t,
      String client,
      int cport,
      String server,
      int sport,
      long ns,
      Set<String> here,
      boolean last) {
    if (!attributable(t)) {
      return NOBODY;
    }
    if (!last && sockets.awaitsClient(t, client, cport, server, sport, ns, here)) {
      return null;
    }
    ProcessRef p = sockets.processOf(t, client, cport, server, sport, ns, here);
    return p != null ? p : NOBODY;
  }

  private void offer(Event.Builder event) {
    EventSink s = sink;
    if (s != null) {
      s.offer(event);
    }
  }

  /**
   * Holds an event whose local client is not known yet (see {@link #attribute}). It is looked up
   * again at the first tick at least {@link #DEFER_NANOS} later and then sent, with or without its
   * process. Bounded: past {@link #MAX_DEFERRED} waiting events, new ones go out at once with the
   * best process known.
   */
  private boolean defer(Event.Builder event, Set<String> here) {
    if (deferredCount.incrementAndGet() > MAX_DEFERRED) {
      deferredCount.decrementAndGet();
      attribute(event, here, true);
      return false;
    }
    deferred.add(new Deferred(event, here, System.nanoTime() + DEFER_NANOS));
    return true;
  }

  /** Sends the deferred events that are due (all of them when {@code all}), named if known. */
  private void sendDeferred(boolean all) {
    long now = System.nanoTime();
    for (Deferred d = deferred.peek(); d != null; d = deferred.peek()) {
      if (!all && d.dueNanos() > now) {
        return; // queued in due order
      }
      if (!deferred.remove(d)) {
        continue;
      }
      deferredCount.decrementAndGet();
      attribute(d.event(), d.here(), true);
      offer(d.event());
    }
  }

  /** An event waiting for its local client (see {@link #defer}). */
  private record Deferred(Event.Builder event, Set<String> here, long dueNanos) {}

  /** The local process of a TCP or UDP connection between client and server, or null. */
  private ProcessRef owner(
      Transport t, String client, int cport, String server, int sport, long ns, Set<String> here) {
    return attributable(t) ? sockets.processOf(t, client, cport, server, sport, ns, here) : null;
  }

  private static boolean attributable(Transport t) {
    return t == Transport.TRANSPORT_TCP || t == Transport.TRANSPORT_UDP;
  }

  private static void join(Thread t) {
    try {
      t.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One interface: its handle, pipeline, capture thread and the lock they share with the clock. The
   * capture thread opens the handle itself, because a capture inside another network namespace must
   * open it from a thread that has entered the namespace (and that thread stays there).
   */
  private final class Capture {
    final CaptureTarget target;
    final String iface; // the configured spec: names the capture in state and counters
    final PacketPipeline pipeline;
    final Thread thread;
    final Object lock = new Object();
    final CompletableFuture<String> opened = new CompletableFuture<>();
    volatile LiveCapture cap; // set by the capture thread once open
    volatile Set<String> namespaceAddresses; // a namespace's own addresses; null: the agent's
    volatile boolean abandoned; // start gave up waiting; the thread closes what it opens
    volatile String failure;
    volatile LiveCapture.Stats finalStats; // set when the handle is closed

    Capture(CaptureTarget target) {
      this.target = target;
      this.iface = target.spec();
      this.pipeline =
          new PacketPipeline(
              iface, options.flows(), answers, e -> deliver(e, namespaceAddresses), appParsing);
      this.thread = new Thread(this::run, "vigil-capture-" + iface);
      this.thread.setDaemon(true);
    }

    /** Waits for the capture thread to open the handle: null when open, else the reason. */
    String awaitOpen() {
      try {
        return opened.get(OPEN_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        abandoned = true;
        stop();
        return "cannot open interface " + iface + ": not open after " + OPEN_WAIT_SECONDS + " s";
      } catch (ExecutionException e) {
        return "cannot open interface " + iface + ": " + e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandoned = true;
        stop();
        return "cannot open interface " + iface + ": interrupted";
      }
    }

    private void run() {
      LiveCapture c;
      try {
        if (target.netns().isPresent()) {
          NetworkNamespace.enter(target.netns().get());
        }
        c =
            LiveCapture.open(
                new CaptureOptions(
                    target.iface(),
                    filter,
                    options.snapLength(),
                    options.bufferBytes(),
                    BATCH_MILLIS));
        if (target.netns().isPresent()) {
          // the namespace's own addresses say which side of its traffic is local; read once
          namespaceAddresses = LocalSockets.canonicalSet(LiveCapture.interfaceAddresses());
        }
      } catch (IOException e) {
        opened.complete("cannot open interface " + iface + ": " + e.getMessage());
        return;
      } catch (CaptureException e) {
        opened.complete(e.getMessage());
        return;
      } catch (LinkageError | RuntimeException e) {
        // pcap4j fails in its static initializer when libpcap is not installed
        opened.complete("cannot open interface " + iface + ": libpcap unavailable (" + e + ")");
        return;
      }
      cap = c;
      if (abandoned) {
        c.close();
        return;
      }
      opened.complete(null);
      try {
        c.loop(
            (data, linkType, ns, orig) -> {
              synchronized (lock) {
                pipeline.frame(data, 0, data.length, linkType, ns, orig);
              }
            });
      } catch (CaptureException e) {
        failure = iface + ": " + e.getMessage();
      } catch (RuntimeException e) {
        failure = iface + ": capture stopped by " + e;
      }
      if (abandoned) {
        c.close(); // opened just as start gave up: nobody else will close it
      }
    }

    void stop() {
      LiveCapture c = cap;
      if (c != null) {
        c.stop();
      }
    }

    void advance(long nowNs) {
      synchronized (lock) {
        try {
          pipeline.advance(nowNs);
        } catch (RuntimeException e) {
          failure = iface + ": advancing flows failed: " + e;
        }
      }
    }

    /** After {@link LiveCapture#stop}: waits for the loop, flushes, closes the handle. */
    void finish() {
      join(thread);
      synchronized (lock) {
        try {
          pipeline.finish();
        } catch (RuntimeException e) {
          failure = iface + ": flushing flows failed: " + e;
        }
      }
      if (thread.isAlive()) {
        // closing a handle under a running loop would free memory libpcap still reads
        failure = iface + ": capture thread did not stop; handle left open";
        return;
      }
      finalStats = cap.stats();
      cap.close();
    }

    CaptureCounters counters() {
      LiveCapture.Stats st = finalStats != null ? finalStats : cap.stats();
      PacketPipeline.Summary s;
      synchronized (lock) {
        s = pipeline.summary();
      }
      return CaptureCounters.newBuilder()
          .setInterface(iface)
          .setReceived(st.received())
          .setDroppedByKernel(st.droppedByKernel())
          .setDroppedByInterface(st.droppedByInterface())
          .setDecoded(s.frames())
          .putAllMalformed(s.malformedByReason())
          .setFlows(s.flows())
          .setDns(s.dns())
          .setTls(s.tls())
          .setHttp(s.http())
          .setAnalyzerErrors(s.analyzerErrors())
          .setFlowsEvicted(s.flowsEvicted())
          .build();
    }
  }
}
