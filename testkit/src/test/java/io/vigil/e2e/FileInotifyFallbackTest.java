package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.SensorState;
import io.vigil.testkit.Child;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With fanotify turned off in the config, the file sensor runs on inotify: events still arrive
 * (without the acting process, which inotify cannot tell), and the agent's status says the sensor
 * is degraded and why.
 */
@Tag("kernel")
class FileInotifyFallbackTest {
  @TempDir Path dir;

  @Test
  void inotifyEventsArriveAndTheStatusSaysWhy() throws Exception {
    Path tree = Files.createDirectory(dir.resolve("watched")).toRealPath();
    SensorsYaml sensors =
        new SensorsYaml().withFileSensor("fanotify: false", "watch: [" + tree + "]");
    try (SensorRun run = SensorRun.start(dir, sensors)) {
      AgentStatus status =
          run.awaitStatus(
              "the file sensor on inotify",
              s ->
                  SensorRun.sensor(s, "file")
                      .filter(f -> f.getSource().equals("inotify"))
                      .isPresent());
      SensorState file = SensorRun.sensor(status, "file").orElseThrow();
      assertTrue(file.getDegraded(), file.toString());
      assertTrue(file.getReason().contains("fanotify disabled in config"), file.getReason());
      assertTrue(file.getReason().contains("no process"), file.getReason());

      Path made = Files.createDirectory(tree.resolve("sub")).resolve("new.txt");
      Child.start(tree, "sh", "-c", "echo hello > sub/new.txt").output();
      FileEvent created =
          run.awaitEvent(
                  "inotify create of " + made,
                  EventKind.EVENT_KIND_FILE,
                  e ->
                      e.getFile().getAction() == FileEvent.Action.ACTION_CREATE
                          && e.getFile().getPath().equals(made.toString()))
              .getFile();
      assertEquals("inotify", created.getSource());
      assertFalse(created.hasProcess(), "inotify cannot name the process: " + created);
    }
  }
}
