package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.pipeline.Pipeline;
import io.vigil.agent.pki.CertificateRenewal;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.EnrolmentFiles;
import io.vigil.agent.pki.TestCa;
import io.vigil.agent.response.CommandDispatcher;
import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolOptions;
import io.vigil.common.config.HostPort;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.proto.v1.SensorState;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real shipper over real mutual TLS to {@link FakeCollector}: renewal on the live stream and
 * reconnection with the new certificate, an agent enrolled while running, a refused agent.
 */
class ShipperTrustTest {
  @TempDir Path dir;

  private final UUID id = UUID.randomUUID();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private TestCa ca;
  private FakeCollector collector;
  private Spool spool;
  private Pipeline pipeline;
  private ChannelHolder channels;
  private Shipper shipper;
  private EnrolmentFiles files;

  @BeforeEach
  void startCollector() throws Exception {
    ca = TestCa.create("stream CA");
    collector = FakeCollector.start(ca, dir.resolve("server"));
    files = EnrolmentFiles.under(dir.resolve("agent"));
  }

  @AfterEach
  void stopAll() throws Exception {
    if (shipper != null) {
      shipper.close();
    }
    if (channels != null) {
      channels.close();
    }
    if (pipeline != null) {
      pipeline.close();
    }
    if (spool != null) {
      spool.close();
    }
    collector.close();
  }

  private void enrol(Instant notBefore, Instant notAfter) throws Exception {
    TestCa.Issued c = ca.issueClientKey(id, notBefore, notAfter);
    files.write(
        c.keyPem(),
        ca.chainPem(c.certificate()),
        ca.pem(),
        new HostPort("127.0.0.1", collector.port()));
  }

  private void startShipper() throws Exception {
    AgentConfig config =
        AgentConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "agent.state_dir=" + dir.resolve("agent"),
                "collector.reconnect_initial_backoff=50ms",
                "collector.reconnect_max_backoff=500ms"));
    spool =
        Spool.open(
            new SpoolOptions(dir.resolve("spool"), 1L << 30, "FAST_HOURLY", Duration.ofHours(1)),
            metrics);
    pipeline = new Pipeline(spool, 1024, metrics);
    pipeline.start();
    CommandDispatcher commands = CommandDispatcher.open(dir, pipeline, java.util.Map.of());
    channels = new ChannelHolder(config.collector(), false);
    CertificateRenewal renewal =
        new CertificateRenewal(
            config.collector().certFile(), config.collector().keyFile(), Clock.systemUTC());
    Supplier<Hello> hello =
        () ->
            Hello.newBuilder()
                .setAgentId(id.toString())
                .setStreamEpoch(spool.epoch())
                .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1))
                .build();
    shipper =
        new Shipper(
            new ShipperOptions(
                100,
                1 << 20,
                Duration.ofMillis(10),
                4,
                Duration.ofSeconds(10),
                Duration.ofMillis(50),
                Duration.ofMillis(500)),
            spool,
            channels,
            Optional.of(renewal),
            hello,
            commands,
            "gzip",
            metrics);
    shipper.start();
  }

  private void offer(int n) {
    for (int i = 0; i < n; i++) {
      pipeline.offer(
          Event.newBuilder()
              .setEventTimeNs(i)
              .setProcessExec(ProcessExec.newBuilder().addArgs("/bin/true").addArgs("" + i)));
    }
  }

  private static void await(String what, Supplier<String> state, BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
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
        + ", renew requests "
        + collector.renewRequests.get()
        + ", link "
        + shipper.linkState();
  }

  @Test
  void aCertificateTwoThirdsThroughItsLifeIsRenewedOnTheStreamAndUsedAtOnce() throws Exception {
    Instant now = Instant.now();
    // 60 s of life, 40 s of it gone: renewal is due as soon as the stream is up.
    enrol(now.minusSeconds(40), now.plusSeconds(20));
    BigInteger first = FakeCollector.serialOf(Files.readString(files.certificate()));
    startShipper();
    offer(500);
    await(
        "a second stream with a renewed certificate",
        this::state,
        () -> {
          try {
            BigInteger onDisk = FakeCollector.serialOf(Files.readString(files.certificate()));
            return !onDisk.equals(first)
                && collector.streams.contains(id + " " + onDisk)
                && collector.watermark.get() >= 500;
          } catch (Exception e) {
            return false;
          }
        });
    assertEquals(1, collector.renewRequests.get(), state());
    assertTrue(collector.streams.get(0).endsWith(" " + first), state());
    ClientCertificate renewed = ClientCertificate.load(files.certificate(), files.key());
    assertTrue(renewed.notAfter().isAfter(now.plus(Duration.ofMinutes(50))));
    assertEquals(1, metrics.total("vigil_agent_certificate_renewals_total"));

    offer(500);
    await("the rest acknowledged", this::state, () -> collector.watermark.get() >= 1000);
    assertEquals(1, collector.renewRequests.get(), "the new certificate is not due: " + state());
    assertEquals(0, metrics.total("vigil_agent_stream_refused_total"));
  }

  @Test
  void anAgentEnrolledWhileRunningConnectsAtItsNextAttempt() throws Exception {
    startShipper();
    offer(200);
    await(
        "a skipped attempt",
        this::state,
        () -> metrics.total("vigil_agent_not_enrolled_attempts_total") >= 2);
    SensorState link = shipper.linkState();
    assertTrue(link.getDegraded(), link.toString());
    assertTrue(
        link.getReason().startsWith("not enrolled: run vigil-agent enroll"), link.toString());
    assertTrue(collector.streams.isEmpty());

    enrol(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofHours(1)));
    await(
        "the spooled events delivered",
        this::state,
        () -> collector.watermark.get() >= 200 && shipper.connected());
    assertFalse(shipper.linkState().getDegraded(), shipper.linkState().toString());
    assertEquals("mtls", shipper.linkState().getSource());
  }

  @Test
  void aRefusalIsCountedNamedInTheStatusAndRetried() throws Exception {
    enrol(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofHours(1)));
    String reason = "revoked at 2026-11-28T10:00:00Z by alice: laptop lost";
    collector.refuseStreams = Status.UNAUTHENTICATED.withDescription(reason);
    startShipper();
    offer(100);
    await("a refusal", this::state, () -> metrics.total("vigil_agent_stream_refused_total") >= 1);
    SensorState link = shipper.linkState();
    assertTrue(link.getDegraded());
    assertEquals("collector refused this agent: " + reason, link.getReason());
    assertEquals(0, collector.watermark.get());

    collector.refuseStreams = null;
    await("delivery after the refusal ends", this::state, () -> collector.watermark.get() >= 100);
    assertNotEquals(0, metrics.total("vigil_agent_stream_refused_total"));
  }
}
