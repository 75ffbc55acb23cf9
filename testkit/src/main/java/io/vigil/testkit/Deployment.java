package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One collector and one agent on loopback, each in its own JVM, under a test's temporary directory.
 * TLS is on (the collector makes its CA on first start and the agent trusts that file). Extra
 * config lines can be appended per test.
 */
public final class Deployment implements AutoCloseable {
  public static final String AGENT_MAIN = "io.vigil.agent.AgentMain";
  public static final String COLLECTOR_MAIN = "io.vigil.collector.CollectorMain";

  private final Path root;
  private final int port = Ports.free();
  private final List<VigilProcess> started = new ArrayList<>();
  private int runs;

  public Deployment(Path root) {
    this.root = root;
  }

  public Path collectorState() {
    return root.resolve("collector");
  }

  public Path agentState() {
    return root.resolve("agent");
  }

  public Path spoolDir() {
    return agentState().resolve("spool");
  }

  public StoreProbe store() {
    return new StoreProbe(collectorState().resolve("vigil.db"));
  }

  public int port() {
    return port;
  }

  /** Writes the collector config and starts it; waits until its CA file exists. */
  public VigilProcess startCollector(String... extraYaml) throws Exception {
    return startCollector(List.of(), extraYaml);
  }

  /**
   * {@link #startCollector(String...)} with extra JVM options, e.g. {@code -Xmx256m} for a test
   * that states a heap bound.
   */
  public VigilProcess startCollector(List<String> jvmOptions, String... extraYaml)
      throws Exception {
    Path cfg = root.resolve("collector.yaml");
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "collector:",
            "  state_dir: " + collectorState(),
            "listen:",
            "  address: 127.0.0.1:" + port,
            "metrics:",
            "  listen: \"\"",
            String.join("\n", extraYaml),
            ""));
    VigilProcess p =
        launch("collector", COLLECTOR_MAIN, jvmOptions, "run", "--config", cfg.toString());
    Poll.until(
        Duration.ofSeconds(60),
        () -> "collector did not listen; log:\n" + p.logText(),
        () -> !p.isAlive() || p.logText().contains("listening"));
    if (!p.isAlive()) {
      throw new AssertionError("collector exited; log:\n" + p.logText());
    }
    return p;
  }

  /**
   * Writes the agent config (synthetic sensor with {@code count} events at {@code rate}/s) and
   * starts it.
   */
  public VigilProcess startAgent(long count, long rate, String... extraYaml) throws IOException {
    List<String> sensors =
        List.of(
            "sensors:",
            "  synthetic:",
            "    enabled: true",
            "    count: " + count,
            "    rate: " + rate,
            // Synthetic-only: the host sensors would mix real events into exact counts, and would
            // install audit rules (kernel-global state) from tests that are not tagged for it.
            "  process:",
            "    enabled: false",
            "  network:",
            "    enabled: false",
            // the file sensor would count the files other tests write to /tmp at the same time
            "  file:",
            "    enabled: false",
            "  fim:",
            "    enabled: false");
    Path cfg = writeAgentConfig(caFile(), sensors, extraYaml);
    return launch("agent", AGENT_MAIN, "run", "--config", cfg.toString());
  }

  /**
   * Starts the agent with the real process and network sensors (synthetic off, audit rules keyed
   * {@link SensorsYaml#TEST_AUDIT_KEY}) as the test's own user (root in the kernel tests). {@code
   * extraYaml} lines are appended at the top level, e.g. {@code "status:", " interval: 2s"}.
   */
  public VigilProcess startSensorAgent(SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path cfg = writeAgentConfig(caFile(), sensors.lines(), extraYaml);
    return launch("agent", AGENT_MAIN, "run", "--config", cfg.toString());
  }

  /**
   * {@link #startSensorAgent(SensorsYaml, String...)} with the heap flags of the production
   * launcher ({@code installers/bin/vigil-agent}), for tests that state a memory bound.
   */
  public VigilProcess startSensorAgentWithProductionHeap(SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path cfg = writeAgentConfig(caFile(), sensors.lines(), extraYaml);
    List<String> cmd = new ArrayList<>();
    cmd.add(VigilProcess.javaBinary());
    cmd.addAll(VigilProcess.jvmFlags());
    cmd.addAll(PRODUCTION_AGENT_FLAGS);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            AGENT_MAIN,
            "run",
            "--config",
            cfg.toString()));
    Path log = root.resolve("agent-" + (++runs) + ".log");
    VigilProcess p = VigilProcess.startCommand("agent", cmd, log, Map.of("MALLOC_ARENA_MAX", "2"));
    started.add(p);
    return p;
  }

  /** The memory flags {@code installers/bin/vigil-agent} starts the agent with. */
  public static final List<String> PRODUCTION_AGENT_FLAGS =
      List.of(
          "-Xms16m",
          "-Xmx64m",
          "-XX:+UseSerialGC",
          "-XX:MaxDirectMemorySize=64m",
          "-XX:TrimNativeHeapInterval=1000",
          "-Dio.grpc.netty.shaded.io.netty.allocator.numDirectArenas=1",
          "-Dio.grpc.netty.shaded.io.netty.allocator.numHeapArenas=1");

  /** {@link #startSensorAgent(SensorsYaml, String...)} with the default sensor settings. */
  public VigilProcess startSensorAgent(String... extraYaml) throws IOException {
    return startSensorAgent(new SensorsYaml(), extraYaml);
  }

  /**
   * Starts the sensor agent as {@code user} from the shaded {@code agentJar} (the test class path
   * under /root is not readable by other users). Copies the jar and the collector's CA file into
   * this deployment's root and gives the agent state directory to the user; the root directory must
   * be traversable by others (see {@link WorldReadableDir}).
   */
  public VigilProcess startSensorAgentAs(
      UnprivilegedUser user, Path agentJar, SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path jar = user.readableCopy(agentJar, root.resolve("vigil-agent.jar"));
    Path ca = user.readableCopy(caFile(), root.resolve("ca.pem"));
    user.own(agentState());
    Path cfg = writeAgentConfig(ca, sensors.lines(), extraYaml);
    List<String> cmd = new ArrayList<>(user.setprivPrefix());
    cmd.add(VigilProcess.javaBinary());
    cmd.addAll(VigilProcess.jvmFlags());
    cmd.addAll(List.of("-Xmx256m", "-jar", jar.toString(), "run", "--config", cfg.toString()));
    Path log = root.resolve("agent-" + user.name() + "-" + (++runs) + ".log");
    VigilProcess p =
        VigilProcess.startCommand(
            "agent as " + user.name(), cmd, log, Map.of("HOME", agentState().toString()));
    started.add(p);
    return p;
  }

  private Path caFile() {
    return collectorState().resolve("pki/ca.pem");
  }

  private Path writeAgentConfig(Path caFile, List<String> sensors, String... extraYaml)
      throws IOException {
    Path cfg = root.resolve("agent.yaml");
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  state_dir: " + agentState(),
                "collector:",
                "  address: 127.0.0.1:" + port,
                "  ca_file: " + caFile,
                "  reconnect_initial_backoff: 100ms",
                "  reconnect_max_backoff: 1s",
                "metrics:",
                "  listen: \"\""));
    lines.addAll(sensors);
    lines.addAll(List.of(extraYaml));
    Files.writeString(cfg, String.join("\n", lines) + "\n");
    return cfg;
  }

  private VigilProcess launch(String name, String main, String... args) throws IOException {
    return launch(name, main, List.of(), args);
  }

  private VigilProcess launch(String name, String main, List<String> jvmOptions, String... args)
      throws IOException {
    Path log = root.resolve(name + "-" + (++runs) + ".log");
    VigilProcess p = VigilProcess.start(name, main, log, jvmOptions, args);
    started.add(p);
    return p;
  }

  /** Waits until {@code n} synthetic events are stored. */
  public void awaitStored(long n, Duration timeout, VigilProcess... show) throws Exception {
    Poll.until(
        timeout,
        () -> {
          StringBuilder sb =
              new StringBuilder("stored " + store().syntheticCount() + " of " + n + "\n");
          for (VigilProcess p : show) {
            sb.append("--- ").append(p).append(":\n").append(tail(p.logText(), 4000));
          }
          return sb.toString();
        },
        () -> {
          for (VigilProcess p : show) {
            if (!p.isAlive()) {
              throw new AssertionError(p + " exited; log:\n" + tail(p.logText(), 4000));
            }
          }
          return store().syntheticCount() >= n;
        });
  }

  public static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }

  @Override
  public void close() throws InterruptedException {
    for (VigilProcess p : started) {
      p.close();
    }
  }
}
