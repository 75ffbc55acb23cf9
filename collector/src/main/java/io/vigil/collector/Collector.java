package io.vigil.collector;

import io.vigil.collector.api.OperatorServer;
import io.vigil.collector.command.CommandQueue;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.collector.detection.Detection;
import io.vigil.collector.detection.DetectionStart;
import io.vigil.collector.disk.DiskGuard;
import io.vigil.collector.disk.DiskOptions;
import io.vigil.collector.disk.DiskWatch;
import io.vigil.collector.disk.FreeSpace;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.output.EventOutput;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.output.JsonlEventOutput;
import io.vigil.collector.retention.Retention;
import io.vigil.collector.retention.RetentionOptions;
import io.vigil.collector.sink.AlertSinks;
import io.vigil.collector.sink.SinkSettings;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.CollectedFiles;
import io.vigil.collector.store.CommandStore;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.FreelistReader;
import io.vigil.collector.store.TrustStore;
import io.vigil.collector.stream.AgentStreamServer;
import io.vigil.collector.stream.AgentStreamService;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.collector.stream.FileUploads;
import io.vigil.collector.stream.StreamLimits;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.ServerPki;
import io.vigil.collector.trust.CollectorTrust;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.common.config.HostPort;
import io.vigil.common.lifecycle.Closer;
import io.vigil.common.metrics.MetricsEndpoint;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running collector. Started by {@link #start}, stopped by {@link #close}. */
public final class Collector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Collector.class);

  private final Closer parts = new Closer();
  private final ConnectedAgents agents = new ConnectedAgents();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private AgentStreamServer server;
  private OperatorServer operator;
  private CollectorTrust trust;

  private Collector() {}

  /** Starts every part; on failure closes what was started and rethrows. */
  public static Collector start(CollectorConfig config, boolean insecure) throws Exception {
    Collector c = new Collector();
    try {
      c.startParts(config, insecure);
      return c;
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  private void startParts(CollectorConfig config, boolean insecure) throws Exception {
    // Rules first: a rule directory that cannot be read stops the start before anything is made.
    Detection detection = DetectionStart.start(config.detection(), config.intel(), metrics);
    parts.add(detection);
    Files.createDirectories(config.stateDir());
    Files.setPosixFilePermissions(config.stateDir(), PosixFilePermissions.fromString("rwx------"));
    ServerPki.Paths pki = null;
    if (!insecure) {
      pki =
          ServerPki.ensure(
              new ServerPki.Paths(
                  config.tls().caFile(),
                  config.tls().caFile().resolveSibling("ca.key"),
                  config.tls().certFile(),
                  config.tls().keyFile()),
              config.tls().hostnames());
    }

    EventStore store = EventStore.open(config.store().path());
    parts.add(store);
    CollectorTrust trust = null;
    if (!insecure) {
      // After the event store: it migrates the database to the schema the trust tables need.
      CertificateAuthority ca = ServerPki.loadAuthority(pki);
      trust =
          new CollectorTrust(
              TrustStore.open(config.store().path()),
              ca,
              config.enrollment(),
              Clock.systemUTC(),
              metrics,
              agents::close);
      parts.add(trust);
      this.trust = trust;
      log.info(
          "CA fingerprint (for vigil-agent enroll --ca-fingerprint): {}", trust.caFingerprint());
    }
    List<EventOutput> outputs = new ArrayList<>();
    if (config.jsonl().enabled()) {
      outputs.add(new JsonlEventOutput(config.jsonl().path()));
    }
    List<JsonlAlertOutput> alertOutputs = new ArrayList<>();
    if (config.alertOutput().enabled()) {
      alertOutputs.add(new JsonlAlertOutput(config.alertOutput().path()));
      log.info("alerts are also written to {}", config.alertOutput().path());
    }
    IngestService ingest =
        new IngestService(
            store,
            IngestOptions.defaults()
                .withMaxEventBytes(config.store().maxEventBytes())
                .withHoleGrace(config.ingest().holeGrace())
                .withQueue(
                    config.ingest().maxQueuedBatches(), config.ingest().maxEventsPerTransaction()),
            metrics,
            outputs,
            detection,
            alertOutputs,
            FimOptions.defaults().withMaxEntriesPerAgent(config.ingest().fimMaxEntriesPerAgent()),
            new HealthOptions(
                config.health().silentAfter(),
                config.health().checkInterval(),
                config.health().maxClockSkew()),
            agents::ids);
    parts.add(ingest); // closed before the store: it drains into it
    if (!config.sinks().isEmpty()) {
      // Each sink reads the alerts after its cursor on its own connection, woken by each commit
      // that stored alerts; it also looks every second (alerts stored by another connection,
      // e.g. the disk-full alert). Closed before ingest and the store.
      AlertSinks sinks =
          parts.add(
              AlertSinks.start(config.sinks(), config.store().path(), metrics, AlertSinks.POLL));
      ingest.onAlertsStored(sinks::wake);
    }

    // Disk safety: batches are refused while the database's filesystem is nearly full; the
    // headroom below store.min_free_bytes keeps Hellos, command results and alerts working.
    DiskGuard disk = null;
    if (config.store().minFreeBytes() > 0) {
      Path dbDir = config.store().path().toAbsolutePath().getParent();
      // Free pages count as room for events: retention's deletes relieve a disk the database
      // filled, though the file never shrinks. Read by the disk watch's thread only.
      FreelistReader freelist = parts.add(FreelistReader.open(config.store().path()));
      disk =
          new DiskGuard(
              FreeSpace.of(dbDir),
              freelist::freeBytes,
              dbDir.toString(),
              new DiskOptions(
                  config.store().minFreeBytes(),
                  config.store().resumeFreeBytes(),
                  Duration.ofSeconds(1)),
              metrics);
      ingest.gateBatches(disk);
      parts.add(DiskWatch.start(disk, ingest)); // closed before ingest: its alerts go through it
    }
    // Retention keeps the alerts these sinks have not delivered yet.
    Set<String> sinkNames =
        config.sinks().stream().map(SinkSettings::name).collect(Collectors.toUnmodifiableSet());
    parts.add(
        Retention.start(
            RetentionOptions.of(config.retention()), sinkNames, store.file(), ingest, metrics));

    // Its own connection to the migrated database; closed after the agent server (added before).
    FileUploads uploads =
        new FileUploads(
            CollectedFiles.open(config.store().path()),
            config.ingest().maxUploadBytes(),
            config.ingest().maxConcurrentUploads(),
            config.ingest().maxCollectedBytes(),
            metrics,
            WallClock::nowNanos);
    parts.add(uploads);

    AgentStreamService service =
        new AgentStreamService(
            ingest,
            agents,
            metrics,
            new StreamLimits(
                config.ingest().maxMessageBytes(),
                config.ingest().maxBatchEvents(),
                StreamLimits.DEFAULT_MAX_COMMAND_RESULTS,
                config.ingest().maxEventsPerSecondPerAgent()),
            Version.get(),
            trust,
            uploads);
    HostPort listen = config.listenAddress();
    server =
        AgentStreamServer.start(
            new InetSocketAddress(listen.host(), listen.port()),
            pki == null ? null : pki.serverCert(),
            pki == null ? null : pki.serverKey(),
            insecure,
            service,
            config.ingest().maxMessageBytes());
    parts.add(server);
    if (insecure) {
      log.warn(
          "--insecure: agents connect in PLAINTEXT; anyone on the path can read and forge"
              + " telemetry. Use only for local experiments.");
    }
    log.info(
        "listening for agents on {}:{} ({}){}",
        listen.host(),
        server.port(),
        insecure ? "plaintext" : "TLS, agents need a client certificate from enrolment",
        pki == null ? "" : "; agents trust " + pki.caCert());

    // One audit log for the operator API and the command queue (deliveries, expiries, results);
    // both closed after the API, which uses them, and the queue before the store it writes.
    AuditLog auditLog = parts.add(AuditLog.open(config.store().path()));
    CommandStore commandStore = parts.add(CommandStore.open(config.store().path()));
    CommandQueue queue =
        parts.add(new CommandQueue(commandStore, auditLog, agents, WallClock::nowNanos));
    queue.start();
    operator =
        OperatorServer.start(
            config.operator(),
            pki == null ? null : pki.serverCert(),
            pki == null ? null : pki.serverKey(),
            insecure,
            config.store().path(),
            trust, // null with --insecure: no enrolment
            auditLog,
            queue,
            config.health().maxClockSkew());
    parts.add(operator); // closed before ingest and the store: its calls read and write them

    if (config.metrics().listen().isPresent()) {
      HostPort l = config.metrics().listen().get();
      MetricsEndpoint endpoint =
          MetricsEndpoint.start(
              metrics,
              l.host(),
              l.port(),
              config.metrics().allowRemote(),
              disk == null ? List.of() : List.of(disk));
      parts.add(endpoint);
      log.info("metrics on http://{}:{}/metrics", l.host(), endpoint.port());
    }
  }

  /** The agents connected now, for sending commands. */
  public ConnectedAgents agents() {
    return agents;
  }

  /** The bound port of the operator API (useful with port 0). */
  public int operatorPort() {
    return operator.port();
  }

  public MetricsRegistry metrics() {
    return metrics;
  }

  /**
   * The collector's trust (enrolment tokens, enrolled agents, revocation) for the operator API;
   * empty when started with {@code --insecure}.
   */
  public Optional<TrustAdmin> trustAdmin() {
    return Optional.ofNullable(trust);
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.port();
  }

  /** Stops accepting, lets queued batches commit, closes the store. */
  @Override
  public void close() {
    parts.close();
  }
}
