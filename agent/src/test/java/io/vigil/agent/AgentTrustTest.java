package io.vigil.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.enroll.EnrollCommand;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.EnrolmentFiles;
import io.vigil.agent.pki.TestCa;
import io.vigil.agent.ship.FakeCollector;
import io.vigil.common.pki.Fingerprint;
import io.vigil.proto.v1.SensorState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent (synthetic sensor only) against {@link FakeCollector} over mutual TLS: started
 * before its enrolment it spools and reports "not enrolled" in its status, picks up the files
 * {@code vigil-agent enroll} writes without a restart, and renews a certificate near its end.
 */
class AgentTrustTest {
  @TempDir Path dir;

  private TestCa ca;
  private FakeCollector collector;
  private Agent agent;

  @BeforeEach
  void startCollector() throws Exception {
    ca = TestCa.create("agent test CA");
    collector = FakeCollector.start(ca, dir.resolve("server"));
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    collector.close();
  }

  private List<String> sets() {
    return List.of(
        "agent.state_dir=" + dir.resolve("agent"),
        "collector.reconnect_initial_backoff=50ms",
        "collector.reconnect_max_backoff=300ms",
        "status.interval=1s",
        "metrics.listen=",
        "sensors.synthetic.enabled=true",
        "sensors.synthetic.count=300",
        "sensors.synthetic.rate=100",
        "sensors.process.enabled=false",
        "sensors.network.enabled=false",
        "sensors.file.enabled=false",
        "sensors.fim.enabled=false");
  }

  private int enrol() {
    Path token = dir.resolve("token");
    try {
      Files.writeString(token, FakeCollector.GOOD_TOKEN);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--collector", "127.0.0.1:" + collector.port(),
                "--token-file", token.toString(),
                "--ca-fingerprint", Fingerprint.sha256(ca.certificate())));
    for (String s : sets()) {
      args.add("--set");
      args.add(s);
    }
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    return new EnrollCommand(
            new ByteArrayInputStream(new byte[0]),
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            new PrintStream(sink, true, StandardCharsets.UTF_8),
            Map.of(),
            "test")
        .run(args.toArray(String[]::new));
  }

  private Agent startAgent() throws Exception {
    return Agent.start(AgentConfig.load(Optional.empty(), Map.of(), sets()), false);
  }

  private static void await(String what, Supplier<String> state, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + ": " + state.get());
      }
      Thread.sleep(50);
    }
  }

  private String state() {
    return "streams "
        + collector.streams
        + ", watermark "
        + collector.watermark.get()
        + ", link states "
        + collector.linkStates.size()
        + ", renew requests "
        + collector.renewRequests.get();
  }

  @Test
  void anAgentStartedBeforeItsEnrolmentSpoolsSaysSoAndConnectsOnceEnrolled() throws Exception {
    agent = startAgent();
    Thread.sleep(1500); // a status or two, spooled while not enrolled
    assertTrue(collector.streams.isEmpty());
    assertEquals(0, enrol());
    await(
        "the synthetic events and the spooled statuses",
        this::state,
        () -> collector.watermark.get() >= 300 && collector.linkStates.size() >= 2);
    // The very first status can go out while the link is still "connecting" (a status is sent at
    // once at start, with how the previous run ended): one spooled before enrolment says why.
    List<SensorState> states;
    synchronized (collector.linkStates) {
      states = List.copyOf(collector.linkStates);
    }
    SensorState first =
        states.stream()
            .filter(s -> s.getReason().startsWith("not enrolled: run vigil-agent enroll"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no status said so: " + states));
    assertTrue(first.getDegraded(), first.toString());
    assertTrue(
        states.subList(0, states.indexOf(first)).stream()
            .noneMatch(st -> st.getReason().equals("connected")),
        "not connected before it was enrolled: " + states);
    await(
        "a status sent while connected",
        this::state,
        () -> !collector.linkStates.get(collector.linkStates.size() - 1).getDegraded());
    assertEquals("mtls", first.getSource());
  }

  @Test
  void aCertificateNearItsEndIsRenewedAndTheAgentKeepsStreaming() throws Exception {
    // Issued with 60 s of validity, backdated a minute by the fake: due for renewal at once.
    collector.validity = Duration.ofSeconds(60);
    assertEquals(0, enrol());
    EnrolmentFiles files = EnrolmentFiles.under(dir.resolve("agent"));
    String first = Files.readString(files.certificate());
    collector.validity = Duration.ofHours(1);
    agent = startAgent();
    await(
        "a renewed certificate in use and every event delivered",
        this::state,
        () -> {
          try {
            String now = Files.readString(files.certificate());
            return !now.equals(first)
                && collector.streams.stream().anyMatch(s -> s.endsWith(" " + serial(now)))
                && collector.watermark.get() >= 300;
          } catch (Exception e) {
            return false;
          }
        });
    assertEquals(1, collector.renewRequests.get(), state());
    ClientCertificate c = ClientCertificate.load(files.certificate(), files.key());
    assertTrue(c.notAfter().isAfter(java.time.Instant.now().plus(Duration.ofMinutes(50))));
  }

  private static String serial(String pem) {
    try {
      return FakeCollector.serialOf(pem).toString();
    } catch (Exception e) {
      return "unreadable";
    }
  }
}
