package io.vigil.testkit;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SensorState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One collector and one agent with the real sensors, shared by the tests of one class: started in
 * {@code @BeforeAll} (skipped unless root), stopped in {@code @AfterAll}, after which no audit rule
 * with a {@link AuditRules#PREFIX} key may remain. Waits use generous deadlines and fail with the
 * stored events and the agent's log tail. Not thread-safe: one test thread.
 */
public final class SensorRun implements AutoCloseable {
  /** How long a test waits for an event to be stored. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private final Deployment deployment;
  private final VigilProcess agent;

  private SensorRun(Deployment deployment, VigilProcess agent) {
    this.deployment = deployment;
    this.agent = agent;
  }

  /**
   * Skips unless root, removes leftover test audit rules, starts a collector and a root agent with
   * {@code sensors}, and waits until the agent reports the process and network sensors.
   */
  public static SensorRun start(Path root, SensorsYaml sensors, String... extraYaml)
      throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    Deployment d = new Deployment(root);
    try {
      d.startCollector();
      String[] yaml = concat(extraYaml, "status:", "  interval: 2s");
      SensorRun run = new SensorRun(d, d.startSensorAgent(sensors, yaml));
      run.awaitStatus("process and network sensors reported", s -> has(s, "process", "network"));
      return run;
    } catch (Throwable t) {
      d.close();
      throw t;
    }
  }

  /** Wraps an agent started another way (e.g. as an unprivileged user). */
  public static SensorRun of(Deployment deployment, VigilProcess agent) {
    return new SensorRun(deployment, agent);
  }

  public StoreProbe store() {
    return deployment.store();
  }

  public VigilProcess agent() {
    return agent;
  }

  /** Waits until the stored exec events that satisfy {@code filter} are {@code enough}. */
  public List<ProcessExec> awaitExecs(
      String what, Predicate<ProcessExec> filter, Predicate<List<ProcessExec>> enough)
      throws InterruptedException {
    return await(what, () -> store().execs(filter), enough, () -> store().execs(x -> true));
  }

  /** Waits until at least one stored exec event satisfies {@code filter}; returns it. */
  public ProcessExec awaitExec(String what, Predicate<ProcessExec> filter)
      throws InterruptedException {
    return awaitExecs(what, filter, l -> !l.isEmpty()).get(0);
  }

  /** Waits until at least one stored connection event satisfies {@code filter}; returns it. */
  public NetworkConnection awaitConnection(String what, Predicate<NetworkConnection> filter)
      throws InterruptedException {
    return await(
            what,
            () -> store().connections(filter),
            l -> !l.isEmpty(),
            () -> store().connections(x -> true))
        .get(0);
  }

  /** Waits until at least one stored audit message satisfies {@code filter}; returns it. */
  public AuditMessage awaitAuditMessage(String what, Predicate<AuditMessage> filter)
      throws InterruptedException {
    return await(
            what,
            () -> store().auditMessages().stream().filter(filter).toList(),
            l -> !l.isEmpty(),
            () -> store().auditMessages())
        .get(0);
  }

  /** Waits until a stored event of {@code kind} satisfies {@code filter}; returns the first. */
  public Event awaitEvent(String what, EventKind kind, Predicate<Event> filter)
      throws InterruptedException {
    return await(
            what,
            () -> store().events(kind).stream().filter(filter).toList(),
            l -> !l.isEmpty(),
            () -> store().events(kind))
        .get(0);
  }

  /** Waits until the status shows the packet sensor capturing {@code capture}, not degraded. */
  public AgentStatus awaitCapture(String capture) throws InterruptedException {
    return awaitStatus(
        "the packet sensor capturing " + capture,
        s ->
            sensor(s, "packet")
                .filter(p -> !p.getDegraded() && p.getSource().contains(capture))
                .isPresent());
  }

  /** Waits until a stored agent status satisfies {@code filter}; returns it. */
  public AgentStatus awaitStatus(String what, Predicate<AgentStatus> filter)
      throws InterruptedException {
    return await(
            what,
            () -> store().agentStatuses().stream().filter(filter).toList(),
            l -> !l.isEmpty(),
            () -> store().agentStatuses())
        .get(0);
  }

  /** The state a status reports for one sensor. */
  public static Optional<SensorState> sensor(AgentStatus status, String name) {
    return status.getSensorsList().stream().filter(s -> s.getName().equals(name)).findFirst();
  }

  private <T extends com.google.protobuf.MessageOrBuilder> List<T> await(
      String what, Supplier<List<T>> query, Predicate<List<T>> enough, Supplier<List<T>> context)
      throws InterruptedException {
    Poll.until(
        WAIT,
        () -> what + "\nstored " + EventText.of(context.get(), 30) + agentLog(),
        () -> {
          if (!agent.isAlive()) {
            throw new AssertionError("agent exited while waiting for: " + what + agentLog());
          }
          return enough.test(query.get());
        });
    return query.get();
  }

  /** The agent's log tail, for assertion messages. */
  public String agentLog() {
    return "\n--- agent log tail:\n" + Deployment.tail(agent.logText(), 4000);
  }

  private static boolean has(AgentStatus s, String... names) {
    for (String n : names) {
      if (sensor(s, n).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * Stops the agent with SIGTERM (so that it removes its audit rules), then everything else, and
   * fails if a test audit rule remains.
   */
  @Override
  public void close() throws Exception {
    try {
      if (agent.isAlive()) {
        agent.stop();
      }
    } finally {
      deployment.close();
    }
    AuditRules.assertNoTestRules("after the agent stopped");
  }
}
