package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command (ip, nft, ...) to completion, for test set-up and checks. */
public final class Commands {
  private Commands() {}

  /**
   * Runs {@code argv} with its stdin closed and returns its output (stdout and stderr).
   *
   * @param check fail unless it exits 0
   * @throws IOException naming the command, its exit code and output, when {@code check} and it
   *     fails, or when it does not finish within 30 s (it is killed)
   */
  public static String run(boolean check, List<String> argv)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", argv) + " did not finish in 30 s");
    }
    if (check && p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + " failed (" + p.exitValue() + "): " + out);
    }
    return out;
  }

  /** {@link #run(boolean, List)} of the words given. */
  public static String run(boolean check, String... argv) throws IOException, InterruptedException {
    return run(check, List.of(argv));
  }
}
