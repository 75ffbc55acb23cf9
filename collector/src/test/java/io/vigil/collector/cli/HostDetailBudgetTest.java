package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code vigilctl host HOST} shows the agent's budget: level, reason, usage, what it gave up. */
class HostDetailBudgetTest {
  private static final long NOW = 1_800_000_000_000_000_000L;

  private static List<String> lines(AgentStatus s) {
    AgentRecord a =
        AgentRecord.newBuilder()
            .setAgentId("a1")
            .setHealth(AgentHealth.newBuilder().setStatus(s).setStatusTimeNs(NOW - 1))
            .build();
    return HostDetail.format(a, NOW);
  }

  private static boolean has(List<String> lines, String... parts) {
    return lines.stream()
        .anyMatch(
            l -> {
              for (String p : parts) {
                if (!l.contains(p)) {
                  return false;
                }
              }
              return true;
            });
  }

  private static AgentStatus shedding() {
    return AgentStatus.newBuilder()
        .setBudget(
            AgentBudget.newBuilder()
                .setLevel(AgentBudget.Level.LEVEL_SHEDDING)
                .setSinceNs(NOW - 90_000_000_000L)
                .setReason("CPU 71% of one core over 30s, budget 50%")
                .setCpuPercent(71)
                .setCpuBudgetPercent(50)
                .setRssAnonBytes(100L << 20)
                .setMemoryBudgetBytes(256L << 20)
                .setShedEvents(1234)
                .setEpisodes(2)
                .addReductions("packet: flows only, no DNS/HTTP/TLS parsing"))
        .build();
  }

  @Test
  void sheddingShowsWhySinceWhenUsageAndWhatWasGivenUp() {
    List<String> out = lines(shedding());
    assertTrue(
        has(out, "budget", "SHEDDING since", "1m 30s ago", "CPU 71% of one core over 30s"),
        String.join("\n", out));
    assertTrue(
        has(out, "cpu 71.0% of 50.0%", "anon 100MiB of 256MiB", "shed 1234 events", "episodes 2"),
        String.join("\n", out));
    assertTrue(has(out, "gave up: packet: flows only"), String.join("\n", out));
    String json =
        HostJson.of(
            AgentRecord.newBuilder()
                .setAgentId("a1")
                .setHealth(AgentHealth.newBuilder().setStatus(shedding()))
                .build());
    assertTrue(json.contains("\"budget\":{\"level\":\"SHEDDING\""), json);
    assertTrue(json.contains("\"shed_events\":1234"), json);
    assertTrue(json.contains("\"reductions\":[\"packet: flows only"), json);
  }

  @Test
  void normalAndOffAreOneShortLine() {
    List<String> normal =
        lines(
            AgentStatus.newBuilder()
                .setBudget(AgentBudget.newBuilder().setLevel(AgentBudget.Level.LEVEL_NORMAL))
                .build());
    assertTrue(has(normal, "budget", "NORMAL"), String.join("\n", normal));
    List<String> off = lines(AgentStatus.getDefaultInstance());
    assertTrue(has(off, "budget", "off"), String.join("\n", off));
  }
}
