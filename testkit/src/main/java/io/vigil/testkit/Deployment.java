package io.vigil.testkit;

import io.vigil.common.pki.Fingerprint;
import io.vigil.common.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One collector and one agent on loopback, each in its own JVM, under a test's temporary directory.
 * Mutual TLS is on: the collector makes its CA on first start, and every agent this deployment
 * starts is enrolled the real way before it connects (an enrolment token from {@code vigilctl token
 * create}, the CA fingerprint from the collector's {@code pki/ca.pem}, then {@code vigil-agent
 * enroll} in its own process, as the agent's user). An agent started before the collector is
 * enrolled as soon as the collector is up; the running agent picks its certificate up at its next
 * connection attempt. {@link #withoutEnrolment()} leaves agents un-enrolled. Extra config lines can
 * be appended per test.
 *
 * <p>By default every process runs in the test's own network namespace on loopback. {@link
 * #withCollectorIn} and {@link #withAgentIn} put the collector (with {@code vigilctl}) and the
 * agent (with its enrolment) into network namespaces instead, started as {@code ip netns exec NAME
 * java ...}: the collector then listens on an address of its namespace, which the agent connects
 * and enrols to and which the collector's server certificate names ({@code tls.hostnames}); its
 * operator API stays on the loopback of its namespace, where {@code vigilctl} runs. Files (state
 * directories, the store, logs) are shared: only the network differs.
 */
public final class Deployment implements AutoCloseable {
  public static final String AGENT_MAIN = "io.vigil.agent.AgentMain";
  public static final String COLLECTOR_MAIN = "io.vigil.collector.CollectorMain";
  public static final String CTL_MAIN = "io.vigil.collector.cli.CtlMain";

  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);

  private final Path root;
  private final int port = Ports.free();
  private final int operatorPort = Ports.free();
  private final List<VigilProcess> started = new ArrayList<>();
  private boolean enrolAgents = true;
  private VigilProcess collector;
  private AgentLauncher pendingEnrolment;
  private int runs;
  private List<String> collectorPrefix = List.of();
  private List<String> agentPrefix = List.of();
  private String collectorHost = LOOPBACK;
  private String collectorMetrics = "\"\"";

  private static final String LOOPBACK = "127.0.0.1";

  public Deployment(Path root) {
    this.root = root;
  }

  /**
   * Runs the collector, and {@code vigilctl} against it, inside network namespace {@code netns}
   * ({@code ip netns exec netns ...}); the collector listens for agents on {@code address} (an
   * address of that namespace), which its server certificate names and agents connect to. Call
   * before starting anything.
   *
   * @throws IllegalArgumentException when {@code netns} or {@code address} is blank
   * @throws IllegalStateException when a process was started already
   */
  public Deployment withCollectorIn(String netns, String address) {
    requireNothingStarted("withCollectorIn");
    collectorPrefix = netnsPrefix("netns", netns);
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("address: expected an IP address of " + netns);
    }
    collectorHost = address;
    return this;
  }

  /**
   * Runs the agent, and {@code vigil-agent enroll}, inside network namespace {@code netns}. Call
   * before starting anything.
   *
   * @throws IllegalArgumentException when {@code netns} is blank
   * @throws IllegalStateException when a process was started already
   */
  public Deployment withAgentIn(String netns) {
    requireNothingStarted("withAgentIn");
    agentPrefix = netnsPrefix("netns", netns);
    return this;
  }

  /** The address agents connect to: {@code 127.0.0.1}, or the one given to withCollectorIn. */
  /** Serves the collector's {@code /metrics} and {@code /health} on loopback {@code port}. */
  public Deployment withCollectorMetrics(int port) {
    collectorMetrics = LOOPBACK + ":" + port;
    return this;
  }

  public String collectorHost() {
    return collectorHost;
  }

  private static List<String> netnsPrefix(String what, String netns) {
    if (netns == null || netns.isBlank()) {
      throw new IllegalArgumentException(what + ": expected a network namespace name");
    }
    return List.of("ip", "netns", "exec", netns);
  }

  private void requireNothingStarted(String what) {
    if (!started.isEmpty() || runs > 0) {
      throw new IllegalStateException(what + " must be called before anything is started");
    }
  }

  private static List<String> prefixed(List<String> prefix, List<String> cmd) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(cmd);
    return all;
  }

  /** How {@code vigil-agent} is started for one agent: a command prefix and its user. */
  private record AgentLauncher(List<String> prefix, UnprivilegedUser user) {}

  /** The exit code and output of a {@code vigil-agent enroll} run. */
  public record EnrolResult(int exitCode, String output) {}

  /** Agents started from now on are not enrolled (for tests of an agent without a certificate). */
  public Deployment withoutEnrolment() {
    enrolAgents = false;
    return this;
  }

  public Path collectorConfig() {
    return root.resolve("collector.yaml");
  }

  public Path agentConfig() {
    return root.resolve("agent.yaml");
  }

  /** The collector's operator API port ({@code operator.address}), for {@code vigilctl}. */
  public int operatorPort() {
    return operatorPort;
  }

  /** The agent's enrolment files ({@code <agent.state_dir>/pki}). */
  public Path agentPki() {
    return agentState().resolve("pki");
  }

  /** SHA-256 of the collector's CA certificate, as operators pass it to enrol. */
  public String caFingerprint() throws IOException {
    return Fingerprint.sha256(
        Pem.certificates(Files.readString(caFile(), StandardCharsets.US_ASCII)).get(0));
  }

  /**
   * Runs {@code vigilctl --config <collector.yaml> ARGS...} (the collector must be running) and
   * returns its exit code; its output goes to a log under the root, returned by {@link
   * #lastToolLog}.
   */
  public int vigilctl(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--config", collectorConfig().toString()));
    all.addAll(List.of(args));
    lastToolLog = root.resolve("vigilctl-" + (++runs) + ".log");
    List<String> cmd =
        prefixed(
            collectorPrefix,
            VigilProcess.javaCommand(CTL_MAIN, List.of(), all.toArray(String[]::new)));
    return VigilProcess.runCommand("vigilctl", cmd, lastToolLog, Map.of(), TOOL_TIMEOUT);
  }

  /** The agent's id ({@code <agent.state_dir>/agent-id}), which it writes at its first start. */
  public String agentId() throws IOException {
    return Files.readString(agentState().resolve("agent-id"), StandardCharsets.UTF_8).trim();
  }

  private Path lastToolLog;

  /** The log of the last {@link #vigilctl} run. */
  public String lastToolLog() throws IOException {
    return lastToolLog == null ? "" : Files.readString(lastToolLog, StandardCharsets.UTF_8);
  }

  /**
   * Creates a one-use enrolment token valid 10 minutes with {@code vigilctl token create} and
   * returns the file it was written to (mode 0600).
   */
  public Path createEnrolmentToken() throws IOException, InterruptedException {
    Path file = root.resolve("enrol-" + (runs + 1) + ".token");
    int code =
        vigilctl("token", "create", "--uses", "1", "--ttl", "10m", "--output", file.toString());
    if (code != 0 || !Files.isRegularFile(file)) {
      throw new AssertionError(
          "vigilctl token create failed (exit " + code + "); log:\n" + lastToolLog());
    }
    return file;
  }

  /**
   * Runs {@code vigil-agent enroll --collector HOST:PORT --token-file TOKEN --ca-fingerprint FP
   * --config <agent.yaml> EXTRA...} in its own JVM, as the agent of this deployment is run (HOST:
   * {@link #collectorHost()}), and returns its exit code and output. The agent config must have
   * been written (by starting an agent, or {@link #writeAgentConfigOnly}).
   */
  public EnrolResult enrolAgent(Path tokenFile, String fingerprint, String... extra)
      throws IOException, InterruptedException {
    return enrol(classPathLauncher(), tokenFile, fingerprint, extra);
  }

  /** Writes the synthetic agent's config without starting it (for enrolment tests). */
  public Path writeAgentConfigOnly(String... extraYaml) throws IOException {
    return writeAgentConfig(syntheticSensors(0, 0), extraYaml);
  }

  private EnrolResult enrol(
      AgentLauncher launcher, Path tokenFile, String fingerprint, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(launcher.prefix());
    cmd.addAll(
        List.of(
            "enroll",
            "--collector",
            collectorHost + ":" + port,
            "--token-file",
            tokenFile.toString(),
            "--ca-fingerprint",
            fingerprint,
            "--config",
            agentConfig().toString()));
    cmd.addAll(List.of(extra));
    Path log = root.resolve("enroll-" + (++runs) + ".log");
    Map<String, String> env =
        launcher.user() == null ? Map.of() : Map.of("HOME", agentState().toString());
    int code = VigilProcess.runCommand("vigil-agent enroll", cmd, log, env, TOOL_TIMEOUT);
    return new EnrolResult(code, Files.readString(log, StandardCharsets.UTF_8));
  }

  /**
   * Enrols the agent {@code launcher} starts, unless it is enrolled already or enrolment is off;
   * when the collector is not running yet, as soon as it is.
   */
  private void enrolIfNeeded(AgentLauncher launcher) throws IOException {
    if (!enrolAgents || Files.exists(agentPki().resolve("agent.pem"))) {
      return;
    }
    if (collector == null || !collector.isAlive()) {
      pendingEnrolment = launcher;
      return;
    }
    pendingEnrolment = null;
    try {
      Path token = createEnrolmentToken();
      if (launcher.user() != null) {
        Files.setAttribute(token, "unix:uid", launcher.user().uid());
      }
      EnrolResult r = enrol(launcher, token, caFingerprint());
      if (r.exitCode() != 0) {
        throw new AssertionError(
            "vigil-agent enroll failed (exit " + r.exitCode() + "):\n" + r.output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while enrolling", e);
    }
  }

  /** {@code vigil-agent} from the test's class path, in the agent's namespace if it has one. */
  private AgentLauncher classPathLauncher() {
    return new AgentLauncher(prefixed(agentPrefix, classPathAgent(List.of("-Xmx256m"))), null);
  }

  /**
   * {@code tls.hostnames} with the collector's address when it is not loopback (the generated
   * server certificate names only local names otherwise); nothing on loopback. A test that sets
   * {@code tls:} itself in namespaces must name that address too.
   */
  private List<String> serverNames() {
    if (collectorHost.equals(LOOPBACK)) {
      return List.of();
    }
    return List.of("tls:", "  hostnames: [\"" + collectorHost + "\"]");
  }

  private static List<String> classPathAgent(List<String> heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(VigilProcess.javaBinary());
    cmd.addAll(VigilProcess.jvmFlags());
    cmd.addAll(heap);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), AGENT_MAIN));
    return cmd;
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

  /**
   * Writes the collector config and starts it; waits until it listens. An agent started before, and
   * not enrolled yet, is enrolled then.
   */
  public VigilProcess startCollector(String... extraYaml) throws Exception {
    return startCollector(List.of(), extraYaml);
  }

  /**
   * {@link #startCollector(String...)} with extra JVM options, e.g. {@code -Xmx256m} for a test
   * that states a heap bound.
   */
  public VigilProcess startCollector(List<String> jvmOptions, String... extraYaml)
      throws Exception {
    Path cfg = collectorConfig();
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "collector:",
            "  state_dir: " + collectorState(),
            "listen:",
            "  address: " + collectorHost + ":" + port,
            "operator:",
            "  address: " + LOOPBACK + ":" + operatorPort,
            "metrics:",
            "  listen: " + collectorMetrics,
            String.join("\n", serverNames()),
            String.join("\n", extraYaml),
            ""));
    VigilProcess p =
        launch(
            "collector",
            collectorPrefix,
            COLLECTOR_MAIN,
            jvmOptions,
            "run",
            "--config",
            cfg.toString());
    Poll.until(
        Duration.ofSeconds(60),
        () -> "collector did not listen; log:\n" + p.logText(),
        () -> !p.isAlive() || p.logText().contains("listening"));
    if (!p.isAlive()) {
      throw new AssertionError("collector exited; log:\n" + p.logText());
    }
    collector = p;
    if (pendingEnrolment != null) {
      enrolIfNeeded(pendingEnrolment);
    }
    return p;
  }

  /**
   * Writes the agent config (synthetic sensor with {@code count} events at {@code rate}/s) and
   * starts it.
   */
  public VigilProcess startAgent(long count, long rate, String... extraYaml) throws IOException {
    Path cfg = writeAgentConfig(syntheticSensors(count, rate), extraYaml);
    return launchAgent(cfg);
  }

  private static List<String> syntheticSensors(long count, long rate) {
    return List.of(
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
  }

  /** Enrols (see {@link #enrolIfNeeded}) and starts the agent from the test's class path. */
  private VigilProcess launchAgent(Path cfg) throws IOException {
    enrolIfNeeded(classPathLauncher());
    return launch("agent", agentPrefix, AGENT_MAIN, List.of(), "run", "--config", cfg.toString());
  }

  /**
   * Starts the agent with the real process and network sensors (synthetic off, audit rules keyed
   * {@link SensorsYaml#TEST_AUDIT_KEY}) as the test's own user (root in the kernel tests). {@code
   * extraYaml} lines are appended at the top level, e.g. {@code "status:", " interval: 2s"}.
   */
  public VigilProcess startSensorAgent(SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path cfg = writeAgentConfig(sensors.lines(), extraYaml);
    return launchAgent(cfg);
  }

  /**
   * {@link #startSensorAgent(SensorsYaml, String...)} with the heap flags of the production
   * launcher ({@code installers/bin/vigil-agent}), for tests that state a memory bound.
   */
  public VigilProcess startSensorAgentWithProductionHeap(SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path cfg = writeAgentConfig(sensors.lines(), extraYaml);
    enrolIfNeeded(classPathLauncher());
    List<String> cmd = new ArrayList<>(agentPrefix);
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
   * under /root is not readable by other users). Copies the jar into this deployment's root, gives
   * the agent state directory to the user and enrols the agent as that user (the token file is
   * handed to it); the root directory must be traversable by others (see {@link WorldReadableDir}).
   */
  public VigilProcess startSensorAgentAs(
      UnprivilegedUser user, Path agentJar, SensorsYaml sensors, String... extraYaml)
      throws IOException {
    Path jar = user.readableCopy(agentJar, root.resolve("vigil-agent.jar"));
    user.own(agentState());
    Path cfg = writeAgentConfig(sensors.lines(), extraYaml);
    List<String> enrolCmd = prefixed(agentPrefix, user.setprivPrefix());
    enrolCmd.add(VigilProcess.javaBinary());
    enrolCmd.addAll(VigilProcess.jvmFlags());
    enrolCmd.addAll(List.of("-Xmx256m", "-jar", jar.toString()));
    enrolIfNeeded(new AgentLauncher(enrolCmd, user));
    List<String> cmd = prefixed(agentPrefix, user.setprivPrefix());
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

  /**
   * The agent config: the collector's address, but no certificate or CA file, so that the agent
   * uses the files its enrolment wrote under {@code <state_dir>/pki/}.
   */
  private Path writeAgentConfig(List<String> sensors, String... extraYaml) throws IOException {
    Path cfg = agentConfig();
    List<String> lines =
        new ArrayList<>(
            List.of(
                "agent:",
                "  state_dir: " + agentState(),
                "collector:",
                "  address: " + collectorHost + ":" + port,
                "  reconnect_initial_backoff: 100ms",
                "  reconnect_max_backoff: 1s",
                "metrics:",
                "  listen: \"\""));
    lines.addAll(sensors);
    lines.addAll(List.of(extraYaml));
    if (!List.of(extraYaml).contains("budget:")) {
      // Tests count events exactly and drive the agent at full speed on a shared machine, where
      // the default budget (50 % of one core) would rightly make it shed; a test about budgets
      // (AgentBudgetTest) sets its own `budget:` section.
      lines.addAll(List.of("budget:", "  enabled: false"));
    }
    Files.writeString(cfg, String.join("\n", lines) + "\n");
    return cfg;
  }

  /** Starts {@code prefix} java ... {@code main args}, logging to a new file under the root. */
  private VigilProcess launch(
      String name, List<String> prefix, String main, List<String> jvmOptions, String... args)
      throws IOException {
    Path log = root.resolve(name + "-" + (++runs) + ".log");
    VigilProcess p =
        VigilProcess.startCommand(
            name,
            prefixed(prefix, VigilProcess.javaCommand(main, jvmOptions, args)),
            log,
            Map.of());
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
