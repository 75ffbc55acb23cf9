package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.trust.DirectEnrollment;
import io.vigil.common.pki.Pem;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Hello;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Poll;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream without a client certificate, and real agent processes with a certificate the collector
 * did not issue or one that expired: all refused, and the collector's log (and the agent's) name
 * the reason. (An agent that is not enrolled and a revoked one: {@link AgentEnrolmentTest}.)
 */
class CertificateRefusalTest {
  @TempDir Path dir;

  @Test
  void aMissingAForeignAndAnExpiredCertificateAreRefusedWithTheReason() throws Exception {
    try (Deployment d = new Deployment(dir).withoutEnrolment()) {
      VigilProcess collector = d.startCollector();
      Status none = streamWithoutCertificate(d);
      assertEquals(Status.Code.UNAUTHENTICATED, none.getCode(), none.toString());
      assertTrue(none.getDescription().contains("no client certificate"), none.toString());
      Poll.until(
          Duration.ofSeconds(30),
          () -> "no refusal logged:\n" + Deployment.tail(collector.logText(), 3000),
          () ->
              collector
                  .logText()
                  .lines()
                  .anyMatch(
                      l ->
                          l.contains("refusing agent stream")
                              && l.contains("no client certificate")));

      Path pki = Files.createDirectories(d.agentPki());
      Files.copy(d.collectorState().resolve("pki/ca.pem"), pki.resolve("ca.pem"));

      // A CA of its own with the same name as the collector's: the signature tells them apart.
      X509Certificate collectorCa =
          Pem.certificates(Files.readString(pki.resolve("ca.pem"))).get(0);
      CertificateAuthority foreign =
          CertificateAuthority.create(
              commonName(collectorCa.getSubjectX500Principal().getName()), Duration.ofDays(1));
      KeyPair key = ecKeyPair();
      X509Certificate forged =
          foreign.issueAgent(
              key.getPublic(),
              UUID.randomUUID().toString(),
              Instant.now().minusSeconds(60),
              Instant.now().plus(Duration.ofDays(1)));
      Files.writeString(pki.resolve("agent.key"), Pem.of(key.getPrivate()));
      Files.writeString(pki.resolve("agent.pem"), Pem.of(forged) + Pem.of(foreign.certificate()));
      VigilProcess agent = d.startAgent(100, 100);
      String reason = "not by this collector's CA";
      awaitBoth(collector, agent, reason);
      assertEquals(0, d.store().syntheticCount(), "nothing stored from the forged agent");
      agent.stop();

      // A certificate the collector did issue, whose validity ended five minutes ago.
      DirectEnrollment.enrol(
              d.collectorState(),
              UUID.randomUUID().toString(),
              "vigil-test-expired",
              Duration.ofMinutes(-5))
          .writeTo(pki);
      VigilProcess expired = d.startAgent(100, 100);
      awaitBoth(collector, expired, "client certificate expired at");
      assertEquals(0, d.store().syntheticCount(), "nothing stored from the expired agent");
      assertTrue(collector.isAlive());
    }
  }

  /** Opens an agent stream over TLS without a client certificate and sends a Hello. */
  private static Status streamWithoutCertificate(Deployment d) throws Exception {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(
                "127.0.0.1",
                d.port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(d.collectorState().resolve("pki/ca.pem").toFile())
                    .build())
            .build();
    try {
      CompletableFuture<Status> done = new CompletableFuture<>();
      StreamObserver<AgentMessage> requests =
          AgentServiceGrpc.newStub(ch).stream(
              new StreamObserver<CollectorMessage>() {
                @Override
                public void onNext(CollectorMessage value) {}

                @Override
                public void onError(Throwable t) {
                  done.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  done.complete(Status.OK);
                }
              });
      requests.onNext(
          AgentMessage.newBuilder()
              .setHello(
                  Hello.newBuilder()
                      .setAgentId(UUID.randomUUID().toString())
                      .setStreamEpoch("vigil-test-epoch"))
              .build());
      return done.get(30, TimeUnit.SECONDS);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Waits until the collector refused a stream for {@code reason} and the agent logged it. */
  private static void awaitBoth(VigilProcess collector, VigilProcess agent, String reason)
      throws Exception {
    Poll.until(
        Duration.ofMinutes(1),
        () ->
            "no refusal naming \""
                + reason
                + "\"; collector log:\n"
                + Deployment.tail(collector.logText(), 3000)
                + "\nagent log:\n"
                + Deployment.tail(agent.logText(), 3000),
        () ->
            collector
                    .logText()
                    .lines()
                    .anyMatch(l -> l.contains("refusing agent stream") && l.contains(reason))
                && agent
                    .logText()
                    .lines()
                    .anyMatch(
                        l -> l.contains("collector refused this agent") && l.contains(reason)));
  }

  private static String commonName(String dn) {
    for (String part : dn.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    return dn;
  }

  private static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
