package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.vigil.collector.output.JsonlEventOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputIngestTest {
  @TempDir Path dir;

  @Test
  void outputsGetEachNewlyStoredEventOnceAndNoDuplicatesOrDeadLetters() throws Exception {
    Path jsonl = dir.resolve("events.jsonl");
    try (IngestFixture f =
        new IngestFixture(dir, IngestOptions.defaults(), new JsonlEventOutput(jsonl))) {
      f.ingest.submit("agent-o", "e1", TestEvents.batch(1, 3), now()).get();
      f.ingest.submit("agent-o", "e1", TestEvents.batch(2, 4), now()).get();
      List<ByteString> withGarbage =
          List.of(TestEvents.exec(5, "a\u001b]0;pwned\u0007\nb").toByteString(), ByteString.EMPTY);
      f.ingest.submit("agent-o", "e1", TestEvents.raw(5, withGarbage), now()).get();
    }
    List<String> lines = Files.readAllLines(jsonl);
    assertEquals(
        List.of("1", "2", "3", "4", "5"),
        lines.stream()
            .map(l -> JsonParser.parseString(l).getAsJsonObject())
            .map(o -> o.getAsJsonObject("event").get("seq").getAsString())
            .toList());
  }
}
