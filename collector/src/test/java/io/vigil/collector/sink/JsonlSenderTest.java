package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jsonl sink's file: whole lines only, and always the file the path names now. */
class JsonlSenderTest {
  @TempDir Path dir;

  private static SinkAlert alert(long id) {
    return new SinkAlert(
        id, "a", "h", "sigma", "r", "t", "low", List.of(), 1, 2, "{\"alert_id\":" + id + "}");
  }

  @Test
  void afterARenameTheNextAlertGoesToANewFileAtThePath() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    Path rotated = dir.resolve("alerts.jsonl.1");
    try (JsonlSender sender = new JsonlSender(file)) {
      sender.send(List.of(alert(1)));
      Files.move(file, rotated);
      sender.send(List.of(alert(2)));
      assertEquals("{\"alert_id\":1}\n", Files.readString(rotated));
      assertEquals("{\"alert_id\":2}\n", Files.readString(file));

      // Deleted outright (rotation without keeping a copy): created again.
      Files.delete(file);
      sender.send(List.of(alert(3)));
      assertEquals("{\"alert_id\":3}\n", Files.readString(file));
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(file)));
    }
  }

  @Test
  void aPartialLastLineIsEndedBeforeTheNextAlert() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    Files.writeString(file, "{\"alert_id\":4,\"tit");
    try (JsonlSender sender = new JsonlSender(file)) {
      sender.send(List.of(alert(4), alert(5)));
      sender.send(List.of(alert(6)));
    }
    assertEquals(
        List.of(
            "{\"alert_id\":4,\"tit", "{\"alert_id\":4}", "{\"alert_id\":5}", "{\"alert_id\":6}"),
        Files.readAllLines(file));
  }
}
