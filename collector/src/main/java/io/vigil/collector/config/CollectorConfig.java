package io.vigil.collector.config;

import io.vigil.collector.sink.SinkSettings;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import io.vigil.common.config.MetricsSection;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The collector's whole configuration, validated at load; the defaults are stated here. Immutable
 * and safe to share; there is no global instance: {@code CollectorMain} loads it and passes the
 * sections down.
 *
 * @param stateDir {@code collector.state_dir}: PKI, database and default output files
 * @param listenAddress {@code listen.address}: where the agent stream (TLS) listens; port 0 picks a
 *     free port
 * @param tls {@code tls.*}: certificates, resolved under {@code <state_dir>/pki} by default
 * @param store {@code store.*}: the embedded database
 * @param ingest {@code ingest.*}: limits of the agent stream
 * @param jsonl {@code output.jsonl.*}: the JSON-lines event output
 * @param alertOutput {@code output.alerts_jsonl.*}: the JSON-lines alert output
 * @param detection {@code detection.*}: the Sigma rules run on every stored event, and what becomes
 *     an alert
 * @param intel {@code intel.*}: threat-intel indicators matched against every stored event
 * @param metrics {@code metrics.*}: the Prometheus endpoint
 * @param operator {@code operator.*}: the operator API ({@code vigilctl})
 * @param enrollment {@code enrollment.*}: agent enrolment and certificate validity
 * @param sinks {@code sinks.NAME.*}: the enabled alert sinks (syslog, webhook, JSON lines), in file
 *     order
 * @param health {@code health.*}: thresholds of the fleet health alerts
 * @param retention {@code retention.*}: how long events and alerts are kept, and how much
 */
public record CollectorConfig(
    Path stateDir,
    HostPort listenAddress,
    TlsSection tls,
    StoreSection store,
    IngestSection ingest,
    JsonlOutput jsonl,
    AlertOutput alertOutput,
    DetectionSection detection,
    IntelSection intel,
    MetricsSection metrics,
    OperatorSection operator,
    EnrollmentSection enrollment,
    List<SinkSettings> sinks,
    HealthSection health,
    RetentionSection retention) {

  /** Prefix of environment variables that set collector keys, e.g. {@code VIGIL_COLLECTOR__}. */
  public static final String ENV_PREFIX = "VIGIL_COLLECTOR__";

  /**
   * Loads the layers (file &lt; environment &lt; {@code --set}) and binds them. Blocks on reading
   * the file.
   *
   * @throws ConfigException listing every problem, each with its key path
   */
  public static CollectorConfig load(
      Optional<Path> file, Map<String, String> env, List<String> sets) throws ConfigException {
    return from(ConfigLoader.load(file, env, ENV_PREFIX, sets));
  }

  /**
   * Binds a loaded root and finishes it (unknown keys are problems too).
   *
   * @throws ConfigException listing every problem, each with its key path
   */
  public static CollectorConfig from(ConfigNode root) throws ConfigException {
    Path stateDir = root.child("collector").path("state_dir", "/var/lib/vigil/collector");
    HostPort listen = root.child("listen").listenAddress("address", "0.0.0.0:7443");
    TlsSection tls = TlsSection.bind(root.child("tls"), stateDir);
    StoreSection store = StoreSection.bind(root.child("store"), stateDir);
    IngestSection ingest = IngestSection.bind(root.child("ingest"));
    if (ingest.maxMessageBytes() < store.maxEventBytes()) {
      root.child("ingest").error("max_message_bytes", "must be at least store.max_event_bytes");
    }
    JsonlOutput jsonl = JsonlOutput.bind(root.child("output").child("jsonl"), stateDir);
    AlertOutput alertOutput =
        AlertOutput.bind(root.child("output").child("alerts_jsonl"), stateDir);
    DetectionSection detection = DetectionSection.bind(root.child("detection"));
    IntelSection intel = IntelSection.bind(root.child("intel"));
    MetricsSection metrics = MetricsSection.bind(root.child("metrics"), "127.0.0.1:9465");
    OperatorSection operator = OperatorSection.bind(root.child("operator"), stateDir);
    EnrollmentSection enrollment = EnrollmentSection.bind(root.child("enrollment"));
    List<SinkSettings> sinks = SinksSection.bind(root);
    HealthSection health = HealthSection.bind(root.child("health"));
    RetentionSection retention = RetentionSection.bind(root.child("retention"));
    root.finish();
    return new CollectorConfig(
        stateDir,
        listen,
        tls,
        store,
        ingest,
        jsonl,
        alertOutput,
        detection,
        intel,
        metrics,
        operator,
        enrollment,
        sinks,
        health,
        retention);
  }
}
