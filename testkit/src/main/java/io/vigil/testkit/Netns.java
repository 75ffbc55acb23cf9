package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A named network namespace ({@code /run/netns/NAME}) that a test runs commands in, with {@code ip
 * netns exec NAME}, and probes from: TCP, UDP and ICMP reachability with bash, ping and the
 * namespace's nftables ruleset. It does not create or delete the namespace ({@link
 * ContainmentNetwork} does). The probes need {@code bash}, {@code timeout}, {@code ping} and {@code
 * nft}. Immutable; the probes block for at most a few seconds each.
 */
public final class Netns {
  /** What a command printed (stdout and stderr together) and its exit code. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** The line the reachability probes send and expect back from an {@link EchoPeer}. */
  static final String PROBE_LINE = "vigil-probe";

  private final String name;

  public Netns(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("name: not a network namespace name: " + name);
    }
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** {@code ip netns exec NAME}: put in front of a command line to run it in this namespace. */
  public List<String> prefix() {
    return List.of("ip", "netns", "exec", name);
  }

  /**
   * Runs {@code command} in this namespace to completion and returns its exit code and output.
   *
   * @throws AssertionError when it does not finish within {@code timeout} (it is killed)
   */
  public Result run(Duration timeout, String... command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(prefix());
    argv.addAll(List.of(command));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    p.getOutputStream().close();
    // Read on this thread after the exit: the probes print little, far below a pipe's buffer.
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(argv + " did not finish within " + timeout);
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code command} in this namespace and fails unless it exits 0; returns its output.
   *
   * @throws IOException naming the command, its exit code and output, when it fails
   */
  public String check(String... command) throws IOException, InterruptedException {
    Result r = run(Duration.ofSeconds(30), command);
    if (!r.ok()) {
      throw new IOException(
          "in "
              + name
              + ": "
              + String.join(" ", command)
              + " exited "
              + r.exitCode()
              + ": "
              + r.output());
    }
    return r.output();
  }

  /**
   * Whether a new TCP connection from this namespace to an {@link EchoPeer} at {@code address}
   * {@code port} opens and echoes a line back within about 4 s (bash {@code /dev/tcp}).
   */
  public boolean tcpEchoes(String address, int port) throws IOException, InterruptedException {
    return echoes("tcp", address, port);
  }

  /**
   * Whether a UDP datagram from this namespace to an {@link EchoPeer} at {@code address} {@code
   * port} is echoed back within about 3 s (bash {@code /dev/udp}).
   */
  public boolean udpEchoes(String address, int port) throws IOException, InterruptedException {
    return echoes("udp", address, port);
  }

  private boolean echoes(String protocol, String address, int port)
      throws IOException, InterruptedException {
    requireAddress(address);
    // The outer timeout bounds the connect (a dropped SYN is retried for minutes), the inner one
    // the answer. head, not bash's read: read takes one byte per read(2), which on a UDP socket
    // consumes (and truncates) the whole datagram.
    String script =
        "exec 3<>/dev/"
            + protocol
            + "/"
            + address
            + "/"
            + port
            + " && echo "
            + PROBE_LINE
            + " >&3 && [ \"$(timeout 3 head -n 1 <&3)\" = "
            + PROBE_LINE
            + " ]";
    return run(Duration.ofSeconds(30), "timeout", "5", "bash", "-c", script).ok();
  }

  /** Whether one ICMP echo from this namespace to {@code address} is answered within 2 s. */
  public boolean pings(String address) throws IOException, InterruptedException {
    requireAddress(address);
    return run(Duration.ofSeconds(30), "ping", "-n", "-c", "1", "-W", "2", address).ok();
  }

  /**
   * {@code nft -s list ruleset} in this namespace: the whole ruleset without counter values and
   * other state, comparable before and after.
   */
  public String ruleset() throws IOException, InterruptedException {
    return check("nft", "-s", "list", "ruleset");
  }

  /** Loads an nftables script ({@code nft -f FILE}) in this namespace. */
  public void nft(Path script) throws IOException, InterruptedException {
    check("nft", "-f", script.toString());
  }

  /** Whether {@code nft list tables} in this namespace shows {@code inet TABLE}. */
  public boolean hasTable(String table) throws IOException, InterruptedException {
    return check("nft", "list", "tables").lines().anyMatch(l -> l.equals("table inet " + table));
  }

  /**
   * Whether process {@code pid} runs in this namespace: its {@code /proc/PID/ns/net} is the
   * namespace {@code /run/netns/NAME} holds. Tests check this before they cut a namespace's
   * network, so that a launch mistake can never cut the host's.
   */
  public boolean holds(long pid) throws IOException {
    String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
    Object inode = Files.getAttribute(Path.of("/run/netns", name), "unix:ino");
    return link.equals("net:[" + inode + "]");
  }

  /**
   * Waits up to 30 s until process {@code pid} runs in this namespace ({@code ip netns exec} joins
   * it and then executes the command, so right after the start it is still {@code ip} in the
   * caller's namespace).
   *
   * @throws AssertionError when it does not join in time or is gone
   */
  public void awaitHolds(long pid) throws InterruptedException {
    Poll.until(
        Duration.ofSeconds(30),
        () -> "process " + pid + " did not join network namespace " + name,
        () -> {
          try {
            return holds(pid);
          } catch (IOException e) {
            throw new AssertionError("process " + pid + " is gone: " + e, e);
          }
        });
  }

  private static void requireAddress(String address) {
    if (!address.matches("[0-9a-fA-F.:]{2,45}")) {
      throw new IllegalArgumentException("address: not an IP address: " + address);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
