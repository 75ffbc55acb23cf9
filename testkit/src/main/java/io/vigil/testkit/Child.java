package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A workload process the test JVM starts itself (so the test knows its pid, parent and cwd), with
 * stdout captured and stderr merged into it.
 */
public final class Child {
  private final Process process;
  private final List<String> command;

  private Child(Process process, List<String> command) {
    this.process = process;
    this.command = command;
  }

  /** Starts {@code command} in {@code cwd}. */
  public static Child start(Path cwd, String... command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    return new Child(pb.redirectErrorStream(true).start(), List.of(command));
  }

  public long pid() {
    return process.pid();
  }

  /** Waits up to 60 s for a clean exit and returns what it printed; fails otherwise. */
  public String output() throws IOException, InterruptedException {
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not exit within 60 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new AssertionError(command + " exited " + process.exitValue() + ": " + text);
    }
    return text;
  }
}
