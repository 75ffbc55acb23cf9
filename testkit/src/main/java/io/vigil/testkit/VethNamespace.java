package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A network namespace joined to the root namespace by a veth pair, made with iproute2 for one test
 * class: {@code NAME} holds {@code nsIface} with {@code nsAddress}/30 and a loopback that is up;
 * the root namespace holds {@code hostIface} with {@code hostAddress}/30. Optionally a {@code
 * /etc/netns/NAME/resolv.conf}, which {@code ip netns exec} puts in place of the host's. Every name
 * starts with {@link #PREFIX} (interface names are at most 15 characters); {@link #removeLeftovers}
 * deletes what a killed run left, and {@link #close} deletes the pair, the namespace and its {@code
 * /etc/netns} folder. Kernel-global: only tests tagged {@code kernel}, which run serially, may use
 * it. Not thread-safe.
 */
public final class VethNamespace implements AutoCloseable {
  /** Prefix of every namespace, interface and {@code /etc/netns} folder this class creates. */
  public static final String PREFIX = "vigil-test-";

  private static final Path ETC_NETNS = Path.of("/etc/netns");

  private final String name;
  private final String hostIface;
  private final String hostAddress;
  private final String nsAddress;

  private VethNamespace(String name, String hostIface, String hostAddress, String nsAddress) {
    this.name = name;
    this.hostIface = hostIface;
    this.hostAddress = hostAddress;
    this.nsAddress = nsAddress;
  }

  /**
   * Creates the namespace and the pair ({@code /30} addresses, both ends up).
   *
   * @param resolvConf the namespace's resolv.conf, or null to keep the host's
   */
  public static VethNamespace create(
      String name,
      String hostIface,
      String hostAddress,
      String nsIface,
      String nsAddress,
      String resolvConf)
      throws IOException, InterruptedException {
    for (String n : List.of(name, hostIface, nsIface)) {
      if (!n.startsWith(PREFIX)) {
        throw new IllegalArgumentException(n + " does not start with " + PREFIX);
      }
    }
    VethNamespace v = new VethNamespace(name, hostIface, hostAddress, nsAddress);
    try {
      ip("netns", "add", name);
      ip("link", "add", hostIface, "type", "veth", "peer", "name", nsIface);
      ip("link", "set", nsIface, "netns", name);
      ip("addr", "add", hostAddress + "/30", "dev", hostIface);
      ip("link", "set", hostIface, "up");
      ip("-n", name, "addr", "add", nsAddress + "/30", "dev", nsIface);
      ip("-n", name, "link", "set", nsIface, "up");
      ip("-n", name, "link", "set", "lo", "up");
      if (resolvConf != null) {
        Path dir = ETC_NETNS.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("resolv.conf"), resolvConf, StandardCharsets.UTF_8);
      }
      return v;
    } catch (IOException | RuntimeException | InterruptedException e) {
      v.close();
      throw e;
    }
  }

  /** Deletes namespaces, links and {@code /etc/netns} folders named {@link #PREFIX}... */
  public static void removeLeftovers() throws IOException, InterruptedException {
    for (String line : ipOutput("-o", "link", "show").split("\n")) {
      // "12: vigil-test-dh@if11: <...>"
      String[] parts = line.split(": ", 3);
      if (parts.length >= 2) {
        String ifname = parts[1].split("@", 2)[0];
        if (ifname.startsWith(PREFIX)) {
          ipQuiet("link", "del", ifname);
        }
      }
    }
    for (String line : ipOutput("netns", "list").split("\n")) {
      String ns = line.split(" ", 2)[0];
      if (ns.startsWith(PREFIX)) {
        ipQuiet("netns", "del", ns);
      }
    }
    if (Files.isDirectory(ETC_NETNS)) {
      try (Stream<Path> s = Files.list(ETC_NETNS)) {
        for (Path p : s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList()) {
          deleteTree(p);
        }
      }
    }
  }

  public String name() {
    return name;
  }

  public String hostAddress() {
    return hostAddress;
  }

  public String nsAddress() {
    return nsAddress;
  }

  /** {@code ip netns exec NAME command...}: the command as a child inside the namespace. */
  public Child exec(Path cwd, String... command) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
    argv.addAll(List.of(command));
    return Child.start(cwd, argv.toArray(String[]::new));
  }

  /** Deletes the pair (from the host end), the namespace and its {@code /etc/netns} folder. */
  @Override
  public void close() throws IOException, InterruptedException {
    ipQuiet("link", "del", hostIface);
    ipQuiet("netns", "del", name);
    Path dir = ETC_NETNS.resolve(name);
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    run(true, args);
  }

  private static void ipQuiet(String... args) throws IOException, InterruptedException {
    run(false, args);
  }

  private static String ipOutput(String... args) throws IOException, InterruptedException {
    return run(true, args);
  }

  private static String run(boolean check, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    return Commands.run(check, argv);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
