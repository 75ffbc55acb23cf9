package io.vigil.testkit;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An agent or collector running in its own JVM, started with the test's class path and the
 * Chronicle flags the test JVM itself got (or any other command line a test runs in the background,
 * e.g. a shell loop inside a network namespace). Output goes to a log file that tests can read.
 */
public final class VigilProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String name;

  private VigilProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code mainClass} with {@code args}; stdout and stderr go to {@code log}. */
  public static VigilProcess start(String name, String mainClass, Path log, String... args)
      throws IOException {
    return start(name, mainClass, log, List.of(), args);
  }

  /**
   * Starts {@code mainClass} with extra JVM options after the defaults (so that e.g. {@code
   * -Xmx256m} replaces the default {@code -Xmx512m}).
   */
  public static VigilProcess start(
      String name, String mainClass, Path log, List<String> jvmOptions, String... args)
      throws IOException {
    return startCommand(name, javaCommand(mainClass, jvmOptions, args), log, Map.of());
  }

  /**
   * The command line {@link #start(String, String, Path, List, String...)} runs: the test JVM's
   * java binary and Chronicle flags, {@code -Xmx512m}, then {@code jvmOptions} (which may replace
   * it), the test class path, {@code mainClass} and {@code args}. A caller may put a prefix in
   * front, e.g. {@code ip netns exec NAME}.
   */
  public static List<String> javaCommand(
      String mainClass, List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmFlags());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Waits up to {@code timeout} for the process to exit; returns its exit code, or -1. */
  public int waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /**
   * Starts an arbitrary command line (for example a {@code setpriv ... java -jar} wrapper) with
   * extra environment variables; stdout and stderr go to {@code log}.
   */
  public static VigilProcess startCommand(
      String name, List<String> cmd, Path log, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new VigilProcess(name, pb.start(), log);
  }

  /** The java binary of the test JVM. */
  static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs to completion and returns the exit code. */
  public static int run(String mainClass, Path log, Duration timeout, String... args)
      throws IOException, InterruptedException {
    try (VigilProcess p = start(mainClass, mainClass, log, args)) {
      if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(mainClass + " did not exit within " + timeout);
      }
      return p.process.exitValue();
    }
  }

  /**
   * Runs an arbitrary command line to completion (stdout and stderr to {@code log}) and returns its
   * exit code.
   */
  public static int runCommand(
      String name, List<String> cmd, Path log, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    try (VigilProcess p = startCommand(name, cmd, log, env)) {
      if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            name + " did not exit within " + timeout + "; log:\n" + p.logText());
      }
      return p.process.exitValue();
    }
  }

  /** The --add-opens/--add-exports and -D flags the test JVM runs with (Chronicle needs them). */
  static List<String> jvmFlags() {
    List<String> out = new ArrayList<>();
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("-Dchronicle.")) {
        out.add(a);
      }
    }
    return out;
  }

  /** SIGKILL: no shutdown hooks, no flushing. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM and wait for an orderly exit. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(
          name + " did not stop within 30 s after SIGTERM; log:\n" + logText());
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the process printed so far. */
  public String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
