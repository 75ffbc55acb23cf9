package io.vigil.agent.sensor.fim;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Options, predicates and subprocesses shared by the sensor tests. */
final class FimTesting {
  private FimTesting() {}

  /** Short delays so that tests do not wait for production timings. */
  static final IntegritySensor.Tuning FAST =
      new IntegritySensor.Tuning(
          Duration.ofMillis(100),
          Duration.ofMillis(200),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          10_000);

  static IntegritySensor.Options options(List<String> paths, List<String> excludes, Path state) {
    return new IntegritySensor.Options(
        paths,
        excludes,
        Duration.ofHours(1),
        1 << 20,
        100_000,
        0,
        state,
        1000,
        Duration.ofMillis(100));
  }

  static IntegritySensor.Options options(Path root, Path state) {
    return options(List.of(root.toString()), List.of(), state);
  }

  static Predicate<Event> scan(String trigger) {
    return e -> e.hasFimScan() && e.getFimScan().getTrigger().equals(trigger);
  }

  static Predicate<Event> mismatch(Path path) {
    return e ->
        e.hasFile()
            && e.getFile().getAction() == FileEvent.Action.ACTION_INTEGRITY_MISMATCH
            && e.getFile().getPath().equals(path.toString());
  }

  static boolean isMismatch(Event e) {
    return e.hasFile() && e.getFile().getAction() == FileEvent.Action.ACTION_INTEGRITY_MISMATCH;
  }

  /** Runs a command to completion; fails the test when it fails. */
  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
  }

  /** Runs {@code sh -c script}. */
  static void sh(String script) throws IOException, InterruptedException {
    run("sh", "-c", script);
  }
}
