package io.vigil.collector.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.util.JsonFormat;
import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlEventOutputTest {
  private static final String HOSTILE =
      "sh -c 'printf \"a\nb\r\n\"' \u001b[31mRED\u001b[0m \\ \u2028 \u0000 </script> \"q\"";

  @TempDir Path dir;

  @Test
  void writesOneParseableLinePerEventWhateverTheCommandLineHolds() throws Exception {
    Path file = dir.resolve("events.jsonl");
    try (JsonlEventOutput out = new JsonlEventOutput(file)) {
      out.write("agent-1", "e1", 1, exec(1, HOSTILE), 123);
      out.write("agent-1", "e1", 2, exec(2, "ls -l"), 456);
      out.flush();
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(2, lines.size());
    JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("agent-1", first.get("agent_id").getAsString());
    assertEquals("e1", first.get("epoch").getAsString());
    Event.Builder parsed = Event.newBuilder();
    JsonFormat.parser().merge(first.get("event").toString(), parsed);
    assertEquals(HOSTILE, parsed.getProcessExec().getProcess().getCommandLine());
    assertEquals(123, parsed.getReceiveTimeNs());
    assertEquals(1, parsed.getSeq());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void reopeningAppendsInsteadOfTruncating() {
    Path file = dir.resolve("events.jsonl");
    for (int i = 1; i <= 2; i++) {
      try (JsonlEventOutput out = new JsonlEventOutput(file)) {
        out.write("agent-1", "e1", i, exec(i, "true"), 1);
        out.flush();
      }
    }
    try {
      assertEquals(2, Files.readAllLines(file).size());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void quotesAgentIdsWithControlCharactersAndLoneSurrogates() {
    StringBuilder sb = new StringBuilder();
    JsonStrings.quote("a\"b\n\u001b\ud800", sb);
    assertEquals("\"a\\\"b\\n\\u001b\\ud800\"", sb.toString());
  }

  private static Event exec(long seq, String commandLine) {
    return Event.newBuilder()
        .setSeq(seq)
        .setProcessExec(
            ProcessExec.newBuilder()
                .setProcess(ProcessRef.newBuilder().setCommandLine(commandLine).setPid(7)))
        .build();
  }
}
