package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.collector.store.CommandResultRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.v1.CommandResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandResultIngestTest {
  private static final String RESULTS = "vigil_collector_command_results_total";

  @TempDir Path dir;

  @Test
  void commandResultsAreStoredOncePerIdAndEveryIdIsAcknowledged() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      assertEquals(
          List.of("c1", "c2"),
          f.ingest
              .submitCommandResults("agent-a", List.of(result("c1"), result("c2")), now())
              .get());
      assertEquals(
          List.of("c2", "c3"),
          f.ingest
              .submitCommandResults("agent-a", List.of(result("c2"), result("c3")), now())
              .get());
      // Another agent cannot pre-empt agent-a's results, and gets its own row.
      f.ingest.submitCommandResults("agent-b", List.of(result("c1")), now()).get();

      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        List<CommandResultRow> rows = reader.commandResults("agent-a");
        assertEquals(
            List.of("c1", "c2", "c3"),
            rows.stream().map(CommandResultRow::commandId).sorted().toList());
        assertEquals("OUTCOME_SUCCEEDED", rows.get(0).outcome());
        assertEquals(1, reader.commandResults("agent-b").size());
      }
      assertEquals(4, f.counter(RESULTS, "status", "new"));
      assertEquals(1, f.counter(RESULTS, "status", "duplicate"));
    }
  }

  private static CommandResult result(String id) {
    return CommandResult.newBuilder()
        .setCommandId(id)
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail("pong")
        .setFinishedTimeNs(42)
        .build();
  }
}
