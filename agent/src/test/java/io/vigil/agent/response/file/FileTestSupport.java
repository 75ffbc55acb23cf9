package io.vigil.agent.response.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.config.ResponseSection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the file action tests: a response section and running a tool. */
final class FileTestSupport {
  private FileTestSupport() {}

  static ResponseSection response(Path vault, List<Path> protectedPaths, long collectMax) {
    return new ResponseSection(
        true,
        Path.of("/usr/sbin/nft"),
        "vigil",
        List.of(),
        Duration.ofSeconds(10),
        vault,
        protectedPaths,
        collectMax);
  }

  /** Exit status and combined output of a command. */
  record Run(int status, String output) {}

  static Run run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    return new Run(p.exitValue(), out);
  }

  /** Runs a command that must succeed; its output. */
  static String ok(String... command) throws IOException, InterruptedException {
    Run r = run(command);
    assertEquals(0, r.status(), String.join(" ", command) + ": " + r.output());
    return r.output();
  }
}
