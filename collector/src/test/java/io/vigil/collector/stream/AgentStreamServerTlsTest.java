package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.tls.ServerPki;
import io.vigil.collector.trust.TrustFixture;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.pki.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent port over real TLS: the right CA connects, another CA's trust does not. */
class AgentStreamServerTlsTest {
  @TempDir Path dir;

  @Test
  void onlyClientsTrustingTheCollectorCaGetAWelcome() throws Exception {
    ServerPki.Paths otherPki = pki(dir.resolve("other"));
    try (MtlsServer srv = new MtlsServer(dir.resolve("collector"))) {
      TrustFixture.Enrolled agent = srv.trust.enrol();
      try (AgentClient c = srv.enrolled(agent).hello(agent.agentId())) {
        assertTrue(c.next().hasWelcome());
      }
      // Same client certificate, but the client trusts another collector's CA: no handshake.
      try (AgentClient c =
          new AgentClient(
                  srv.server.port(),
                  Files.readString(otherPki.caCert()),
                  agent.keyPem(),
                  agent.response().certificateChainPem())
              .hello(agent.agentId())) {
        assertEquals(Status.Code.UNAVAILABLE, c.status().getCode());
      }
      assertEquals(
          List.of(srv.trust.ca.certificate()),
          Pem.certificates(Files.readString(srv.trust.pki.caCert())));
    }
  }

  @Test
  void tlsWithoutTheCollectorsTrustIsRefusedAtStart() throws Exception {
    ServerPki.Paths pki = pki(dir.resolve("pki"));
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(dir.resolve("vigil.db"));
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), metrics, List.of())) {
      AgentStreamService noTrust =
          new AgentStreamService(ingest, new ConnectedAgents(), metrics, 1 << 20, "t");
      assertThrows(
          IllegalArgumentException.class,
          () ->
              AgentStreamServer.start(
                  new InetSocketAddress("127.0.0.1", 0),
                  pki.serverCert(),
                  pki.serverKey(),
                  false,
                  noTrust,
                  1 << 20));
    }
  }

  private static ServerPki.Paths pki(Path d) throws Exception {
    return ServerPki.ensure(
        new ServerPki.Paths(
            d.resolve("ca.pem"), d.resolve("ca.key"), d.resolve("server.pem"), d.resolve("s.key")),
        List.of());
  }
}
