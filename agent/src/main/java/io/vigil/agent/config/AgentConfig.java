package io.vigil.agent.config;

import io.vigil.common.config.ConfigException;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.MetricsSection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's whole configuration, validated at load; the defaults are stated here. Immutable and
 * safe to share; there is no global instance: {@code AgentMain} loads it and passes the sections
 * down.
 *
 * @param stateDir {@code agent.state_dir}: agent id file and, by default, the spool
 * @param collector {@code collector.*}: how to reach the collector
 * @param spool {@code spool.*}: the durable local queue
 * @param shipper {@code shipper.*}: batching and flow control towards the collector
 * @param statusInterval {@code status.interval}: how often the agent emits its status event
 * @param metrics {@code metrics.*}: the Prometheus endpoint
 * @param synthetic {@code sensors.synthetic.*}: the synthetic event generator
 * @param process {@code sensors.process.*}: the process sensor
 * @param network {@code sensors.network.*}: the connection sensor
 * @param packet {@code sensors.packet.*}: the packet sensor (flows and DNS from live capture)
 * @param file {@code sensors.file.*}: the file sensor (changes with the process that made them)
 * @param fim {@code sensors.fim.*}: file integrity monitoring (baseline, scans, re-checks)
 * @param response {@code response.*}: containment commands (isolation, kill, quarantine, ...)
 * @param budget {@code budget.*}: the agent's own CPU and memory budget
 */
public record AgentConfig(
    Path stateDir,
    CollectorConnection collector,
    SpoolSection spool,
    ShipperSection shipper,
    Duration statusInterval,
    MetricsSection metrics,
    SyntheticSection synthetic,
    ProcessSection process,
    NetworkSection network,
    PacketSection packet,
    FileSection file,
    FimSection fim,
    ResponseSection response,
    BudgetSection budget) {

  /** Prefix of environment variables that set agent keys, e.g. {@code VIGIL_AGENT__SPOOL__DIR}. */
  public static final String ENV_PREFIX = "VIGIL_AGENT__";

  /**
   * Loads the layers (file &lt; environment &lt; {@code --set}) and binds them. Blocks on reading
   * the file.
   *
   * @throws ConfigException listing every problem, each with its key path
   */
  public static AgentConfig load(Optional<Path> file, Map<String, String> env, List<String> sets)
      throws ConfigException {
    return from(ConfigLoader.load(file, env, ENV_PREFIX, sets));
  }

  /**
   * Binds a loaded root and finishes it (unknown keys are problems too).
   *
   * @throws ConfigException listing every problem, each with its key path
   */
  public static AgentConfig from(ConfigNode root) throws ConfigException {
    Path stateDir = root.child("agent").path("state_dir", "/var/lib/vigil/agent");
    CollectorConnection collector = CollectorConnection.bind(root.child("collector"), stateDir);
    SpoolSection spool = SpoolSection.bind(root.child("spool"), stateDir);
    ShipperSection shipper = ShipperSection.bind(root.child("shipper"), spool.maxEventBytes());
    Duration statusInterval =
        root.child("status")
            .duration("interval", "30s", Duration.ofSeconds(1), Duration.ofHours(24));
    MetricsSection metrics = MetricsSection.bind(root.child("metrics"), "127.0.0.1:9464");
    SyntheticSection synthetic = SyntheticSection.bind(root.child("sensors").child("synthetic"));
    ProcessSection process = ProcessSection.bind(root.child("sensors").child("process"));
    NetworkSection network = NetworkSection.bind(root.child("sensors").child("network"));
    PacketSection packet = PacketSection.bind(root.child("sensors").child("packet"));
    FileSection file = FileSection.bind(root.child("sensors").child("file"));
    FimSection fim = FimSection.bind(root.child("sensors").child("fim"));
    ResponseSection response = ResponseSection.bind(root.child("response"), stateDir);
    BudgetSection budget = BudgetSection.bind(root.child("budget"));
    root.finish();
    return new AgentConfig(
        stateDir,
        collector,
        spool,
        shipper,
        statusInterval,
        metrics,
        synthetic,
        process,
        network,
        packet,
        file,
        fim,
        response,
        budget);
  }
}
