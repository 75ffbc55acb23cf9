package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
    VigilProcess p = launch("collector", COLLECTOR_MAIN, "run", "--config", cfg.toString());
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
    Path cfg = root.resolve("agent.yaml");
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "agent:",
            "  state_dir: " + agentState(),
            "collector:",
            "  address: 127.0.0.1:" + port,
            "  ca_file: " + collectorState().resolve("pki/ca.pem"),
            "  reconnect_initial_backoff: 100ms",
            "  reconnect_max_backoff: 1s",
            "metrics:",
            "  listen: \"\"",
            "sensors:",
            "  synthetic:",
            "    enabled: true",
            "    count: " + count,
            "    rate: " + rate,
            String.join("\n", extraYaml),
            ""));
    return launch("agent", AGENT_MAIN, "run", "--config", cfg.toString());
  }

  private VigilProcess launch(String name, String main, String... args) throws IOException {
    Path log = root.resolve(name + "-" + (++runs) + ".log");
    VigilProcess p = VigilProcess.start(name, main, log, args);
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

  static String tail(String s, int max) {
    return s.length() <= max ? s : "..." + s.substring(s.length() - max);
  }

  @Override
  public void close() throws InterruptedException {
    for (VigilProcess p : started) {
      p.close();
    }
  }
}
