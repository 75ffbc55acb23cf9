package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.health.FleetSeed;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.ListAgentsRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListAgents fills each agent's health from what ingest stored, and finds one by host. */
class ListAgentsHealthTest {
  @TempDir Path dir;

  @Test
  void healthCarriesTheNewestStatusPositionsSkewAndProblemsInWords() throws Exception {
    try (OperatorFixture api = OperatorFixture.start(dir)) {
      api.trust.enrolled("agent-1", "web-1");
      api.trust.enrolled("agent-2", "db-1"); // enrolled, never streamed
      FleetSeed.seed(api.db, "agent-1");
      OperatorClient viewer = api.client(api.token("vera", "viewer"));

      List<AgentRecord> all =
          viewer.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
      assertEquals(2, all.size());
      AgentRecord a = all.stream().filter(r -> r.getAgentId().equals("agent-1")).findFirst().get();
      AgentHealth h = a.getHealth();
      assertTrue(h.getStatusTimeNs() > 0);
      assertEquals("file", h.getStatus().getSensors(1).getName());
      assertEquals("e1", h.getStreamEpoch());
      assertEquals(50, h.getSpooledSeq());
      assertEquals(1, h.getStoredSeq());
      assertTrue(h.getClockSkewNs() > 170_000_000_000L, "agent ahead: " + h.getClockSkewNs());
      assertEquals(0, h.getSilentSinceNs());
      List<String> p = h.getProblemsList();
      assertTrue(
          p.contains("sensor file degraded: fanotify unavailable " + FleetSeed.HOSTILE),
          p.toString());
      assertTrue(
          p.contains("12 events dropped (queue_full) since the agent started"), p.toString());
      assertTrue(p.contains("capture eth0: 7 packets dropped by the kernel"), p.toString());
      assertTrue(
          p.contains("backlog 49 events (spooled on the host, not stored yet)"), p.toString());
      assertTrue(
          p.stream()
              .anyMatch(
                  x ->
                      x.matches(
                          "clock 2m 5\\ds ahead of the collector's|clock 3m ahead of the collector's")),
          p.toString());
      assertTrue(
          p.contains(
              "tampering: containment_table_removed: table inet vigil deleted (not restored)"),
          p.toString());
      AgentRecord quiet =
          all.stream().filter(r -> r.getAgentId().equals("agent-2")).findFirst().get();
      assertEquals(0, quiet.getHealth().getStatusTimeNs());
      assertEquals("", quiet.getHealth().getStreamEpoch());
      // FakeTrust's certificates end at 9 ns after the epoch.
      assertTrue(
          quiet.getHealth().getProblems(0).startsWith("certificate expired "),
          quiet.getHealth().toString());
      assertEquals(1, quiet.getHealth().getProblemsCount());

      for (String host : List.of("web-1", "agent-1")) {
        List<AgentRecord> one =
            viewer
                .call(s -> s.listAgents(ListAgentsRequest.newBuilder().setHost(host).build()))
                .getAgentsList();
        assertEquals(1, one.size(), host);
        assertEquals("agent-1", one.get(0).getAgentId());
        assertEquals(7, one.get(0).getHealth().getProblemsCount(), one.get(0).toString());
      }
      OperatorApiException e =
          assertThrows(
              OperatorApiException.class,
              () ->
                  viewer.call(
                      s -> s.listAgents(ListAgentsRequest.newBuilder().setHost("nope").build())));
      assertEquals(OperatorApiException.Kind.NOT_FOUND, e.kind());
    }
  }
}
