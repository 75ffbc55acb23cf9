package io.vigil.agent;

import io.vigil.agent.budget.BudgetController;
import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.config.CollectorConnection;
import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.config.SyntheticSection;
import io.vigil.agent.identity.AgentIdentity;
import io.vigil.agent.identity.HostInfoCollector;
import io.vigil.agent.pipeline.Pipeline;
import io.vigil.agent.pki.CertificateRenewal;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.CommandDispatcher;
import io.vigil.agent.response.file.CollectFileAction;
import io.vigil.agent.response.file.QuarantineAction;
import io.vigil.agent.response.file.RestoreAction;
import io.vigil.agent.response.network.NetworkContainment;
import io.vigil.agent.response.process.KillAction;
import io.vigil.agent.response.process.SnapshotAction;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.synthetic.SyntheticEvents;
import io.vigil.agent.sensor.synthetic.SyntheticSensor;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.agent.ship.GrpcCollectorProbe;
import io.vigil.agent.ship.GrpcFileUploader;
import io.vigil.agent.ship.Shipper;
import io.vigil.agent.ship.ShipperOptions;
import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolOptions;
import io.vigil.agent.status.RunRecord;
import io.vigil.agent.status.StatusReporter;
import io.vigil.agent.status.TamperOutbox;
import io.vigil.common.config.HostPort;
import io.vigil.common.lifecycle.Closer;
import io.vigil.common.metrics.MetricsEndpoint;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running agent. Started by {@link #start}, stopped by {@link #close} (from a shutdown hook). */
public final class Agent implements AutoCloseable {
  /** The schema version this agent speaks. */
  static final SchemaVersion SCHEMA = SchemaVersion.newBuilder().setMajor(1).setMinor(0).build();

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** One deadline for a whole collect_file upload: 1 GiB at about 2 MB/s. */
  private static final Duration UPLOAD_DEADLINE = Duration.ofMinutes(10);

  private final Closer parts = new Closer();
  private final List<Sensor> sensors = new ArrayList<>();
  private volatile Shipper shipper;
  private volatile NetworkContainment containment;
  private volatile RunRecord run;

  private Agent() {}

  /**
   * Starts every part. On failure the parts already started are closed and the exception
   * propagates.
   */
  public static Agent start(AgentConfig config, boolean insecure) throws Exception {
    return start(config, Optional.empty(), insecure);
  }

  /**
   * Starts every part.
   *
   * @param configFile the file the config was loaded from, if any (quarantine never touches it)
   */
  public static Agent start(AgentConfig config, Optional<Path> configFile, boolean insecure)
      throws Exception {
    Agent agent = new Agent();
    try {
      agent.startParts(config, configFile, insecure);
      return agent;
    } catch (Exception e) {
      agent.close();
      throw e;
    }
  }

  private void startParts(AgentConfig config, Optional<Path> configFile, boolean insecure)
      throws Exception {
    AgentIdentity identity = AgentIdentity.loadOrCreate(config.stateDir());
    // First, so that a run that fails to start (or is killed) later still counts as a run.
    RunRecord run =
        RunRecord.begin(config.stateDir(), WallClock.nowNanos(), ProcessHandle.current().pid());
    this.run = run;
    log.info("previous run: {}", run.start().getDetail());
    // Filled by the audit source and the containment from their threads, sent by the status.
    TamperOutbox tampers = new TamperOutbox();
    HostInfo host = new HostInfoCollector().collect();
    MetricsRegistry metrics = new MetricsRegistry();
    // What sensors give up while the agent is over its budget; the budget controller switches it.
    DetailLevel detail = new DetailLevel(metrics);

    Spool spool =
        Spool.open(
            new SpoolOptions(
                config.spool().dir(),
                config.spool().maxBytes(),
                config.spool().rollCycle().toString(),
                config.spool().retention()),
            metrics);
    parts.add(spool);
    log.info(
        "agent {} on {}: spool {} epoch {} (seq {} spooled, {} acknowledged)",
        identity.agentId(),
        host.getHostname(),
        config.spool().dir(),
        spool.epoch(),
        spool.lastSeq(),
        spool.committedSeq());

    Pipeline pipeline =
        new Pipeline(
            spool, config.spool().queueCapacity(), metrics, config.spool().maxEventBytes());
    pipeline.start();
    parts.add(pipeline); // closed before the spool: it drains into it

    CollectorConnection c = config.collector();
    ChannelHolder channel = new ChannelHolder(c, insecure);
    parts.add(channel);
    // Before anything connects: an isolated host stays isolated across restarts, and the stream
    // must go to the pinned collector addresses.
    NetworkContainment containment =
        new NetworkContainment(
            config.response(),
            config.stateDir(),
            channel,
            new GrpcCollectorProbe(channel)::probe,
            tampers);
    containment.reapplyAtStart();
    this.containment = containment;

    // Everything is built before anything starts; each sensor joins parts as soon as it started,
    // so a failure part-way still stops the ones already running.
    HostSensors hostSensors = HostSensors.build(config, metrics, tampers, detail);
    CommandDispatcher commands =
        CommandDispatcher.open(
            config.stateDir(),
            pipeline,
            actions(config, configFile, containment, channel, pipeline, hostSensors));
    parts.add(commands);
    List<Sensor> toStart = new ArrayList<>();
    if (config.synthetic().enabled()) {
      toStart.add(synthetic(config.synthetic(), spool));
    }
    toStart.addAll(hostSensors.inStartOrder());
    for (Sensor s : toStart) {
      s.start(pipeline);
      sensors.add(s);
      parts.add(s);
    }
    hostSensors.afterStart();
    for (Sensor s : sensors) {
      SensorState st = s.state();
      if (st.getDegraded()) {
        log.warn("sensor {} started DEGRADED: {} ({})", s.name(), st.getSource(), st.getReason());
      } else {
        log.info("sensor {} started: {}", s.name(), st.getSource());
      }
    }

    Optional<BudgetController> budget =
        config.budget().enabled()
            ? Optional.of(new BudgetController(config.budget(), detail, pipeline, metrics))
            : Optional.empty();
    StatusReporter status =
        new StatusReporter(
            pipeline,
            metrics,
            this::sensorStates,
            hostSensors::captureCounters,
            host,
            tampers,
            Optional.of(run.start()),
            () -> budget.map(BudgetController::snapshot));
    status.start(config.statusInterval());
    parts.add(status);
    if (budget.isPresent()) {
      budget.get().start(status::emitSoon);
      parts.add(budget.get());
    }

    if (config.metrics().listen().isPresent()) {
      HostPort l = config.metrics().listen().get();
      MetricsEndpoint endpoint =
          MetricsEndpoint.start(metrics, l.host(), l.port(), config.metrics().allowRemote());
      parts.add(endpoint);
      log.info("metrics on http://{}:{}/metrics", l.host(), endpoint.port());
    }

    if (insecure) {
      log.warn(
          "--insecure: the stream to the collector is PLAINTEXT; anyone on the path can read and"
              + " forge telemetry and commands. Use only for local experiments.");
    }
    Optional<CertificateRenewal> renewal =
        insecure
            ? Optional.empty()
            : Optional.of(new CertificateRenewal(c.certFile(), c.keyFile(), Clock.systemUTC()));
    Shipper shipper =
        new Shipper(
            new ShipperOptions(
                config.shipper().batchMaxEvents(),
                config.shipper().batchMaxBytes(),
                config.shipper().batchMaxDelay(),
                config.shipper().maxInFlightBatches(),
                c.connectTimeout(),
                c.reconnectInitialBackoff(),
                c.reconnectMaxBackoff()),
            spool,
            channel,
            renewal,
            () -> hello(agentId(identity, channel), spool, host),
            commands,
            "gzip".equals(c.compression()) ? "gzip" : "identity",
            metrics);
    shipper.start();
    parts.add(shipper);
    this.shipper = shipper;
    log.info(
        "shipping to {} ({})",
        channel.describeTarget(),
        insecure ? "plaintext" : "mutual TLS, " + c.certFile());
  }

  /**
   * What runs each containment action. Release and unblock stay available with {@code
   * response.enabled} false (they only loosen, and a host must never be stuck isolated); isolate
   * and block refuse then themselves; the rest is left out, so the dispatcher rejects it naming the
   * setting.
   */
  private static Map<Command.ActionCase, Action> actions(
      AgentConfig config,
      Optional<Path> configFile,
      NetworkContainment containment,
      ChannelHolder channel,
      Pipeline pipeline,
      HostSensors hostSensors)
      throws IOException {
    Map<Command.ActionCase, Action> actions = new EnumMap<>(Command.ActionCase.class);
    actions.putAll(containment.actions());
    if (!config.response().enabled()) {
      return actions;
    }
    ResponseSection r = config.response();
    actions.put(Command.ActionCase.KILL, new KillAction());
    actions.put(
        Command.ActionCase.SNAPSHOT, new SnapshotAction(pipeline, hostSensors.processDirectory()));
    // What the agent needs to reach its collector: never quarantined, never uploaded.
    List<Path> credentials =
        List.of(
            config.collector().keyFile(),
            config.collector().certFile(),
            config.collector().caFile(),
            config.collector().addressFile());
    actions.put(
        Command.ActionCase.QUARANTINE,
        new QuarantineAction(r, config.stateDir(), configFile, credentials));
    actions.put(Command.ActionCase.RESTORE, new RestoreAction(r));
    actions.put(
        Command.ActionCase.COLLECT_FILE,
        new CollectFileAction(
            r,
            config.stateDir(),
            credentials,
            new GrpcFileUploader(channel::openSide, UPLOAD_DEADLINE)));
    return actions;
  }

  /**
   * The id the stream's Hello claims: the one the client certificate names (the collector refuses
   * any other), else the state directory's.
   */
  private static UUID agentId(AgentIdentity identity, ChannelHolder channel) {
    Optional<UUID> certified = channel.clientCertificate().flatMap(ClientCertificate::agentId);
    if (certified.isPresent() && !certified.get().equals(identity.agentId())) {
      log.warn(
          "the client certificate names agent {} but {} holds {}: using the certificate's (was"
              + " the agent re-enrolled while running?)",
          certified.get(),
          identity.file(),
          identity.agentId());
    }
    return certified.orElse(identity.agentId());
  }

  /** The synthetic sensor resumes after the last number it got into the spool before a restart. */
  private static Sensor synthetic(SyntheticSection s, Spool spool) {
    long startAfter =
        spool
            .findLast(e -> SyntheticEvents.numberOf(e).isPresent())
            .map(e -> SyntheticEvents.numberOf(e).getAsLong())
            .orElse(0L);
    if (startAfter > 0) {
      log.info("synthetic sensor resumes after number {}", startAfter);
    }
    return new SyntheticSensor(
        new SyntheticSensor.Options(s.rate(), s.count(), s.mix(), s.seed(), startAfter));
  }

  /** The sensors' states and, as the entry named {@code collector}, the link's (enrolment). */
  private List<SensorState> sensorStates() {
    List<SensorState> out = new ArrayList<>();
    for (Sensor s : sensors) {
      out.add(s.state());
    }
    Shipper sh = shipper;
    if (sh != null) {
      out.add(sh.linkState());
    }
    NetworkContainment nc = containment;
    if (nc != null) {
      // Whether the host is isolated, and any mismatch between what the agent means to enforce and
      // what the kernel holds (a failed re-apply, a rolled-back isolation), on the timeline.
      Optional<String> problem = nc.problem();
      out.add(
          SensorState.newBuilder()
              .setName("containment")
              .setSource(nc.isolated() ? "nftables: isolated" : "nftables: not isolated")
              .setDegraded(problem.isPresent())
              .setReason(problem.orElse(""))
              .build());
    }
    return out;
  }

  private static Hello hello(UUID agentId, Spool spool, HostInfo host) {
    return Hello.newBuilder()
        .setAgentId(agentId.toString())
        .setStreamEpoch(spool.epoch())
        .setSchemaVersion(SCHEMA)
        .setHost(host)
        .setAgentVersion(Version.get())
        .setLastSpooledSeq(spool.lastSeq())
        .setSentTimeNs(WallClock.nowNanos())
        .build();
  }

  /**
   * Stops the parts in the reverse order of their start: shipper, endpoints, status, sensors, then
   * the pipeline drains into the spool, which closes last; then records the clean stop, so that the
   * next start reports it (a run killed before this point is reported as unclean).
   */
  @Override
  public void close() {
    parts.close();
    RunRecord r = run;
    if (r != null) {
      try {
        r.endCleanly(WallClock.nowNanos());
      } catch (IOException e) {
        log.warn(
            "cannot record the clean stop (the next start reports it as unclean): {}",
            e.toString());
      }
    }
  }
}
