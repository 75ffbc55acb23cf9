package io.vigil.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a {@link ServiceUnit}'s {@code ExecStart} as written, the way systemd would start it, on a
 * machine where systemd is not PID 1: in a network namespace if given, as the unit's {@code
 * User}/{@code Group} (with its supplementary groups), with its {@code CapabilityBoundingSet},
 * {@code AmbientCapabilities} and {@code NoNewPrivileges} applied by {@code setpriv}, its {@code
 * UMask}, and a clean environment: systemd's {@code PATH}, {@code HOME}/{@code USER}/{@code
 * LOGNAME}/{@code SHELL} of the user, then {@code EnvironmentFile=} and {@code Environment=}. Its
 * {@code StateDirectory=} entries are created under /var/lib owned by the user when missing. Not
 * applied: the mount-namespace sandboxing ({@code ProtectSystem} ...), resource limits ({@code
 * MemoryMax}, {@code CPUQuota}, {@code Nice}) and system call filters. Stateless.
 */
public final class UnitRunner {
  /** systemd's default PATH for system services. */
  public static final String SYSTEMD_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private UnitRunner() {}

  /**
   * The full command line: {@code [ip netns exec NS] setpriv ... env -i ... EXECSTART}.
   *
   * @param netns the namespace to run in; empty for the test's own
   */
  public static List<String> command(ServiceUnit unit, Optional<Netns> netns)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    netns.ifPresent(n -> cmd.addAll(n.prefix()));
    cmd.add("setpriv");
    String user = unit.user();
    String group = unit.group().orElse(user.equals("root") ? "root" : primaryGroup(user));
    cmd.addAll(List.of("--reuid", user, "--regid", group, "--init-groups"));
    List<String> ambient = unit.ambientCapabilities();
    if (unit.hasBoundingSet()) {
      StringBuilder b = new StringBuilder("-all");
      for (String c : unit.boundingSet()) {
        b.append(",+").append(c.replaceFirst("^cap_", ""));
      }
      cmd.addAll(List.of("--bounding-set", b.toString()));
    }
    // Inheritable and ambient: exactly the unit's AmbientCapabilities (nothing inherited from the
    // test, which would otherwise reach a root service's permitted set past the bounding set).
    cmd.addAll(List.of("--inh-caps", capList(ambient), "--ambient-caps", capList(ambient)));
    if (unit.noNewPrivileges()) {
      cmd.add("--no-new-privs");
    }
    cmd.add("--");
    cmd.add("env");
    cmd.add("-i");
    for (Map.Entry<String, String> e : environment(unit, user).entrySet()) {
      cmd.add(e.getKey() + "=" + e.getValue());
    }
    String umask = unit.service("UMask").orElse("0022");
    cmd.addAll(List.of("/bin/sh", "-c", "umask " + umask + " && exec \"$@\"", "unit"));
    cmd.addAll(unit.execStart());
    return cmd;
  }

  /**
   * Creates the unit's state directories, as systemd would before starting it, and starts {@code
   * ExecStart}; output goes to {@code log}.
   */
  public static VigilProcess start(String name, ServiceUnit unit, Optional<Netns> netns, Path log)
      throws IOException, InterruptedException {
    createStateDirectories(unit);
    return VigilProcess.startCommand(name, command(unit, netns), log, Map.of());
  }

  /** {@code StateDirectory=}: /var/lib/DIR, owned by the unit's user, its mode; kept if present. */
  public static void createStateDirectories(ServiceUnit unit)
      throws IOException, InterruptedException {
    String user = unit.user();
    String group = unit.group().orElse(user.equals("root") ? "root" : primaryGroup(user));
    for (String d : unit.stateDirectories()) {
      Path dir = Path.of("/var/lib").resolve(d);
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        Commands.run(true, "chown", user + ":" + group, dir.toString());
        Commands.run(true, "chmod", unit.stateDirectoryMode(), dir.toString());
      }
    }
  }

  private static String capList(List<String> caps) {
    if (caps.isEmpty()) {
      return "-all";
    }
    StringBuilder b = new StringBuilder("-all");
    for (String c : caps) {
      b.append(",+").append(c.replaceFirst("^cap_", ""));
    }
    return b.toString();
  }

  private static Map<String, String> environment(ServiceUnit unit, String user)
      throws IOException, InterruptedException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", SYSTEMD_PATH);
    env.put("LANG", "C.UTF-8");
    String[] pw = passwd(user);
    env.put("HOME", pw[5]);
    env.put("USER", user);
    env.put("LOGNAME", user);
    env.put("SHELL", pw[6]);
    for (ServiceUnit.EnvironmentFile f : unit.environmentFiles()) {
      if (!Files.exists(f.path())) {
        if (f.optional()) {
          continue;
        }
        throw new IOException(unit.file() + ": EnvironmentFile " + f.path() + " is missing");
      }
      for (String line : Files.readAllLines(f.path(), StandardCharsets.UTF_8)) {
        String l = line.strip();
        int eq = l.indexOf('=');
        if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || eq < 1) {
          continue;
        }
        String v = l.substring(eq + 1).strip();
        if (v.length() >= 2
            && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
          v = v.substring(1, v.length() - 1);
        }
        env.put(l.substring(0, eq).strip(), v);
      }
    }
    env.putAll(unit.environment());
    return env;
  }

  /** The user's passwd line, split: name, x, uid, gid, gecos, home, shell. */
  private static String[] passwd(String user) throws IOException, InterruptedException {
    String line = Commands.run(true, "getent", "passwd", user).strip();
    String[] f = line.split(":", -1);
    if (f.length < 7) {
      throw new IOException("getent passwd " + user + ": " + line);
    }
    return f;
  }

  private static String primaryGroup(String user) throws IOException, InterruptedException {
    String gid = passwd(user)[3];
    return Commands.run(true, "getent", "group", gid).strip().split(":")[0];
  }
}
