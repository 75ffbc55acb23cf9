package io.vigil.agent;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.config.FileSection;
import io.vigil.agent.config.NetworkSection;
import io.vigil.agent.config.PacketSection;
import io.vigil.agent.config.ProcessSection;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.pki.CollectorTarget;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.TamperSink;
import io.vigil.agent.sensor.file.FileChangeListener;
import io.vigil.agent.sensor.file.FileSensor;
import io.vigil.agent.sensor.file.source.NotificationSources;
import io.vigil.agent.sensor.fim.IntegritySensor;
import io.vigil.agent.sensor.network.LocalSockets;
import io.vigil.agent.sensor.network.NetworkSensor;
import io.vigil.agent.sensor.packet.PacketSensor;
import io.vigil.agent.sensor.process.ProcessSensor;
import io.vigil.agent.sensor.process.audit.AuditFeed;
import io.vigil.agent.sensor.process.audit.AuditSource;
import io.vigil.agent.sensor.process.audit.AuditSourceOptions;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.CaptureCounters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The real host sensors (process, network, packet, file, integrity) built from the config and wired
 * to each other: the network sensor attributes sockets through the process sensor's table and
 * receives the same audit events (connect/accept), because the kernel allows one audit daemon per
 * host and Vigil reads the stream once. With packet capture on, the agent has one DNS answer cache
 * (the capture fills it, connection events read it for their destination hostname) and one registry
 * of socket owners (connection events fill it, flows and DNS events read it for their process). The
 * file sensor attributes changes through the process table too, and tells integrity monitoring
 * about each change so that a monitored file is re-checked at once. Not thread-safe: built and
 * started by {@link Agent} on its start thread.
 */
final class HostSensors {
  private final Optional<ProcessSensor> process;
  private final Optional<NetworkSensor> network;
  private final Optional<PacketSensor> packet;
  private final Optional<AuditSource> audit;
  private final Optional<IntegritySensor> fim;
  private final Optional<FileSensor> file;
  private final NetworkSection networkConfig;
  private final List<String> packetInterfaces;

  private HostSensors(
      AgentConfig config, MetricsRegistry metrics, TamperSink tampers, DetailLevel detail)
      throws IOException {
    ProcessSection p = config.process();
    this.networkConfig = config.network();
    boolean networkRules = networkConfig.enabled() && networkConfig.audit();
    if (p.enabled() && p.audit() == ProcessSection.AuditMode.AUTO) {
      AuditSourceOptions d = AuditSourceOptions.defaults(p.auditKey());
      audit =
          Optional.of(
              new AuditSource(
                  new AuditSourceOptions(
                      p.auditKey(),
                      p.auditBacklogLimit(),
                      networkRules,
                      d.receiveBufferBytes(),
                      d.receiveTimeout(),
                      d.statusPollInterval(),
                      d.maxEventAge(),
                      p.auditCheckInterval()),
                  tampers));
    } else {
      audit = Optional.empty();
    }
    process =
        p.enabled()
            ? Optional.of(new ProcessSensor(p.sensorOptions(), audit.map(a -> (AuditFeed) a)))
            : Optional.empty();
    network =
        networkConfig.enabled()
            ? Optional.of(
                new NetworkSensor(
                    new NetworkSensor.Options(
                        networkConfig.snapshotInterval(),
                        NetworkSensor.Options.defaults().maxTrackedSockets()),
                    process.isPresent()
                        ? process.get().directory()
                        : pid -> Optional.empty(), // attribution falls back to /proc reads
                    metrics))
            : Optional.empty();
    if (network.isPresent() && process.isPresent()) {
      process.get().addAuditListener(network.get());
    }
    PacketSection pc = config.packet();
    packetInterfaces = pc.interfaces();
    if (pc.enabled()) {
      DnsAnswerCache answers = new DnsAnswerCache();
      LocalSockets sockets = new LocalSockets();
      packet =
          Optional.of(
              new PacketSensor(
                  new PacketSensor.Options(
                      pc.interfaces(),
                      pc.filter(),
                      pc.snapLength(),
                      pc.bufferBytes(),
                      pc.excludeCollector()
                          ? Optional.of(CollectorTarget.addressOrFallback(config.collector()))
                          : Optional.empty(),
                      FlowOptions.defaults()),
                  answers,
                  sockets));
      network.ifPresent(n -> n.shareWithPacketSensor(sockets, answers));
    } else {
      packet = Optional.empty();
    }
    fim =
        config.fim().enabled()
            ? Optional.of(
                new IntegritySensor(
                    config.fim().sensorOptions(config.stateDir(), config.spool().dir())))
            : Optional.empty();
    FileSection fc = config.file();
    ProcessDirectory processes =
        process.isPresent() ? process.get().directory() : pid -> Optional.empty();
    file =
        fc.enabled()
            ? Optional.of(
                new FileSensor(
                    // The agent's own writes (state, baseline, spool) never become events: the
                    // fanotify source drops the agent's pid, and these paths cover inotify.
                    fc.sensorOptions(List.of(config.stateDir(), config.spool().dir())),
                    NotificationSources.opener(fc.fanotify()),
                    processes,
                    fim.<FileChangeListener>map(f -> f).orElse(FileChangeListener.NONE),
                    metrics))
            : Optional.empty();
    // What each sensor gives up while the agent is over its budget (io.vigil.agent.budget).
    process.ifPresent(s -> s.reduceAtBudget(detail));
    packet.ifPresent(s -> s.reduceAtBudget(detail));
    file.ifPresent(s -> s.reduceAtBudget(detail));
    fim.ifPresent(s -> s.reduceAtBudget(detail));
    registerMetrics(metrics);
  }

  /**
   * The process sensor's table (entity ids of running processes), or a directory that knows none
   * when the sensor is off.
   */
  ProcessDirectory processDirectory() {
    return process.isPresent() ? process.get().directory() : pid -> Optional.empty();
  }

  /**
   * Builds the sensors the config enables; nothing is started yet.
   *
   * @param tampers where the audit source reports what somebody else undid
   * @param detail what the sensors observe to lower their detail when the agent is over budget
   */
  static HostSensors build(
      AgentConfig config, MetricsRegistry metrics, TamperSink tampers, DetailLevel detail)
      throws IOException {
    return new HostSensors(config, metrics, tampers, detail);
  }

  /**
   * The sensors in the order to start them: the packet sensor (so DNS answers are learnt before
   * connections are reported), the network sensor (so it hears the audit stream from its first
   * event), integrity monitoring (so it hears the file sensor's first change), the file sensor,
   * then the process sensor, which seeds its table and starts the audit feed. The caller starts
   * them and closes them in reverse; then calls {@link #afterStart}.
   */
  List<Sensor> inStartOrder() {
    List<Sensor> order = new ArrayList<>();
    packet.ifPresent(order::add);
    network.ifPresent(order::add);
    fim.ifPresent(order::add);
    file.ifPresent(order::add);
    process.ifPresent(order::add);
    return order;
  }

  /** The packet sensor's counters per interface; empty when capture is off. Thread-safe. */
  List<CaptureCounters> captureCounters() {
    return packet.map(PacketSensor::captureCounters).orElse(List.of());
  }

  /** A capture counter on the metrics endpoint: its name, help and where it is read. */
  private record CaptureGauge(String name, String help, ToLongFunction<CaptureCounters> read) {}

  private static final List<CaptureGauge> CAPTURE_GAUGES =
      List.of(
          new CaptureGauge(
              "vigil_capture_received",
              "Packets the kernel offered the capture (drops included)",
              CaptureCounters::getReceived),
          new CaptureGauge(
              "vigil_capture_dropped_by_kernel",
              "Packets lost because the capture buffer was full",
              CaptureCounters::getDroppedByKernel),
          new CaptureGauge(
              "vigil_capture_dropped_by_interface",
              "Packets the interface or driver dropped",
              CaptureCounters::getDroppedByInterface),
          new CaptureGauge(
              "vigil_capture_decoded",
              "Frames the packet pipeline decoded",
              CaptureCounters::getDecoded),
          new CaptureGauge(
              "vigil_capture_flows", "Flow records emitted", CaptureCounters::getFlows),
          new CaptureGauge("vigil_capture_dns", "DNS events emitted", CaptureCounters::getDns),
          new CaptureGauge(
              "vigil_capture_tls",
              "TLS handshakes reported (TCP and QUIC)",
              CaptureCounters::getTls),
          new CaptureGauge(
              "vigil_capture_http", "HTTP requests reported", CaptureCounters::getHttp),
          new CaptureGauge(
              "vigil_capture_analyzer_errors",
              "Packets whose application analyzers failed (a bug)",
              CaptureCounters::getAnalyzerErrors),
          new CaptureGauge(
              "vigil_capture_flows_evicted",
              "Flows evicted because the flow table was full",
              CaptureCounters::getFlowsEvicted));

  /** One gauge per capture counter and configured interface (0 while it is not open). */
  private void registerCaptureMetrics(MetricsRegistry metrics, PacketSensor ps) {
    for (String iface : packetInterfaces) {
      for (CaptureGauge g : CAPTURE_GAUGES) {
        metrics.gauge(
            g.name(),
            g.help(),
            () ->
                ps.captureCounters().stream()
                    .filter(c -> c.getInterface().equals(iface))
                    .mapToLong(g.read())
                    .sum(),
            "interface",
            iface);
      }
    }
  }

  /**
   * Tells the network sensor whether the audit stream it relies on is running, and integrity
   * monitoring which real-time source re-checks its files.
   */
  void afterStart() {
    network.ifPresent(this::tellNetworkAboutAudit);
    fim.ifPresent(f -> file.ifPresent(fs -> f.realtimeSource(fs.state().getSource())));
  }

  private void tellNetworkAboutAudit(NetworkSensor n) {
    if (!networkConfig.audit()) {
      n.auditActive(false, "sensors.network.audit is off");
    } else if (process.isEmpty()) {
      n.auditActive(false, "the process sensor (which owns the audit stream) is disabled");
    } else {
      Optional<String> problem = process.get().auditProblem();
      n.auditActive(problem.isEmpty(), problem.orElse(""));
    }
  }

  /** An integrity-monitoring counter on the metrics endpoint. */
  private record FimGauge(
      String name, String help, ToLongFunction<IntegritySensor.Counters> read) {}

  private static final List<FimGauge> FIM_GAUGES =
      List.of(
          new FimGauge(
              "vigil_fim_scans", "Integrity scans completed", IntegritySensor.Counters::scans),
          new FimGauge(
              "vigil_fim_files_scanned",
              "Files examined by integrity scans",
              IntegritySensor.Counters::filesScanned),
          new FimGauge(
              "vigil_fim_bytes_hashed",
              "Content bytes hashed by integrity scans and re-checks",
              IntegritySensor.Counters::bytesHashed),
          new FimGauge(
              "vigil_fim_changes",
              "Differences from the baseline reported (integrity mismatch events)",
              IntegritySensor.Counters::changes),
          new FimGauge(
              "vigil_fim_errors",
              "Paths an integrity scan could not read",
              IntegritySensor.Counters::errors),
          new FimGauge(
              "vigil_fim_rechecks",
              "Files re-checked because the file sensor reported a change",
              IntegritySensor.Counters::rechecks),
          new FimGauge(
              "vigil_fim_recheck_drops",
              "Re-checks not queued because the queue was full (a rescan covers them)",
              IntegritySensor.Counters::recheckDrops),
          new FimGauge(
              "vigil_fim_resyncs",
              "Times the whole baseline was sent again to resynchronise the collector's mirror",
              IntegritySensor.Counters::resyncs),
          new FimGauge(
              "vigil_fim_refused_events",
              "Integrity events the pipeline refused (a resync follows)",
              IntegritySensor.Counters::refusedEvents),
          new FimGauge(
              "vigil_fim_save_failures",
              "Times the local baseline could not be saved",
              IntegritySensor.Counters::saveFailures),
          new FimGauge(
              "vigil_fim_last_scan_duration_ns",
              "Duration of the last completed integrity scan, ns",
              IntegritySensor.Counters::lastScanDurationNs),
          new FimGauge(
              "vigil_fim_baseline_entries",
              "Entries in the integrity baseline",
              IntegritySensor.Counters::baselineEntries));

  private void registerMetrics(MetricsRegistry metrics) {
    packet.ifPresent(ps -> registerCaptureMetrics(metrics, ps));
    fim.ifPresent(
        f ->
            FIM_GAUGES.forEach(
                g -> metrics.gauge(g.name(), g.help(), () -> g.read().applyAsLong(f.counters()))));
    audit.ifPresent(
        a -> {
          metrics.gauge(
              "vigil_audit_malformed_records",
              "Audit records that could not be parsed and were skipped",
              a::malformedRecords);
          metrics.gauge(
              "vigil_audit_socket_overruns",
              "Times the audit socket overflowed (ENOBUFS); each became a gap event",
              a::socketOverruns);
          metrics.gauge(
              "vigil_audit_kernel_lost",
              "Records the kernel reported lost (audit lost counter) since the agent started",
              a::kernelLost);
          metrics.gauge(
              "vigil_audit_late_records",
              "Audit records that arrived after their event was complete (missing from it)",
              a::lateRecords);
          metrics.gauge(
              "vigil_audit_evicted_events",
              "Audit events delivered early, possibly partial, because too many were open",
              a::evictedEvents);
          metrics.gauge(
              "vigil_audit_listener_failures",
              "Audit events a sensor failed on (skipped)",
              a::listenerFailures);
          metrics.gauge(
              "vigil_audit_undecodable_rules",
              "Kernel audit rules with Vigil's key that could not be decoded (left alone)",
              a::undecodableRules);
        });
    process.ifPresent(
        ps -> {
          metrics.gauge(
              "vigil_process_incomplete_execs",
              "Execs from the proc connector whose process was gone before /proc could be read",
              ps::incompleteExecs);
          metrics.gauge(
              "vigil_process_audit_queue_drops",
              "Audit events the process sensor dropped because its queue was full",
              ps::auditQueueDrops);
          metrics.gauge(
              "vigil_process_errors", "Process events that failed to build (skipped)", ps::errors);
          metrics.gauge(
              "vigil_process_table_evictions",
              "Processes the bounded process table forgot to make room (parents may be unknown)",
              ps::tableEvictions);
          metrics.gauge(
              "vigil_process_unsettled_exits",
              "Exits sent before their settle delay because too many waited (image may be stale)",
              ps::unsettledExits);
        });
  }
}
