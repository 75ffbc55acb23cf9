package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Commands;
import io.vigil.testkit.DebPackages;
import io.vigil.testkit.ShadedJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two packages in {@code installers/target} as dpkg and lintian see them: the layout every
 * helper relies on (paths, modes, root:root), the conffiles, the dependencies, maintainer scripts
 * that parse, units and launchers identical to their sources, and no lintian error. Reads the
 * packages only; installs nothing. Skipped without dpkg-deb and lintian (not Debian), failed
 * instead with {@code CI=true}.
 */
class PackageLintTest {
  private static final String VERSION_PATTERN =
      "[0-9][0-9.]*(~SNAPSHOT(\\.[0-9]{14}\\.g[0-9a-f]+)?)?";

  private static Path agent;
  private static Path collector;

  @BeforeAll
  static void packages() throws IOException {
    DebPackages.requireTool("dpkg-deb", "it reads the packages");
    DebPackages.requireTool("lintian", "it checks the packages");
    agent = DebPackages.agentOrSkip();
    collector = DebPackages.collectorOrSkip();
  }

  @Test
  void lintianFindsNoErrors(@TempDir Path tmp) throws Exception {
    // One run for both: lintian unpacks each jar, ~10 s per package on a busy machine. Its output
    // goes to a file, so that the timeout applies (reading a pipe to its end would wait forever).
    List<String> argv = List.of("lintian", "--info", agent.toString(), collector.toString());
    Path log = tmp.resolve("lintian.log");
    Process p =
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("lintian did not finish in 5 minutes:\n" + Files.readString(log));
    }
    String out = Files.readString(log);
    List<String> errors = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("E:")) {
        errors.add(line);
      }
    }
    assertTrue(errors.isEmpty(), "lintian errors:\n" + String.join("\n", errors) + "\n\n" + out);
    assertTrue(
        !out.contains("lintian: fatal") && !out.contains("Cannot"),
        "lintian did not run through:\n" + out);
  }

  @Test
  void agentPackageHasTheAgreedLayout() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("/usr/lib/vigil/agent/bin/vigil-agent", "-rwxr-xr-x");
    expected.put("/usr/lib/vigil/agent/bin/vigil-jvm.sh", "-rw-r--r--");
    expected.put("/usr/lib/vigil/agent/lib/vigil-agent.jar", "-rw-r--r--");
    expected.put("/usr/bin/vigil-agent", "l -> ../lib/vigil/agent/bin/vigil-agent");
    expected.put("/etc/vigil/agent.yaml", "-rw-r--r--");
    expected.put("/etc/default/vigil-agent", "-rw-r--r--");
    expected.put("/lib/systemd/system/vigil-agent.service", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-agent/copyright", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-agent/changelog.gz", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-agent/examples/agent.yaml", "-rw-r--r--");
    expected.put("/usr/share/man/man1/vigil-agent.1.gz", "-rw-r--r--");
    checkPackage(
        agent,
        expected,
        List.of("/etc/default/vigil-agent", "/etc/vigil/agent.yaml"),
        List.of("java17-runtime-headless", "libpcap0.8", "nftables"));
    String arch = field(agent, "Architecture");
    assertTrue(Set.of("amd64", "arm64").contains(arch), "Architecture: " + arch);
    assertTrue(
        agent.getFileName().toString().endsWith("_" + arch + ".deb"),
        agent + " is not named for its architecture " + arch);
  }

  @Test
  void collectorPackageHasTheAgreedLayout() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("/usr/lib/vigil/collector/bin/vigil-collector", "-rwxr-xr-x");
    expected.put("/usr/lib/vigil/collector/bin/vigilctl", "-rwxr-xr-x");
    expected.put("/usr/lib/vigil/collector/bin/vigil-jvm.sh", "-rw-r--r--");
    expected.put("/usr/lib/vigil/collector/lib/vigil-collector.jar", "-rw-r--r--");
    expected.put("/usr/bin/vigil-collector", "l -> ../lib/vigil/collector/bin/vigil-collector");
    expected.put("/usr/bin/vigilctl", "l -> ../lib/vigil/collector/bin/vigilctl");
    // 0640: postinst gives it to group vigil once the group exists.
    expected.put("/etc/vigil/collector.yaml", "-rw-r-----");
    expected.put("/etc/default/vigil-collector", "-rw-r--r--");
    expected.put("/lib/systemd/system/vigil-collector.service", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-collector/copyright", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-collector/changelog.gz", "-rw-r--r--");
    expected.put("/usr/share/doc/vigil-collector/examples/collector.yaml", "-rw-r--r--");
    expected.put("/usr/share/man/man1/vigil-collector.1.gz", "-rw-r--r--");
    expected.put("/usr/share/man/man1/vigilctl.1.gz", "-rw-r--r--");
    checkPackage(
        collector,
        expected,
        List.of("/etc/default/vigil-collector", "/etc/vigil/collector.yaml"),
        List.of("java17-runtime-headless", "adduser"));
    assertEquals("all", field(collector, "Architecture"), "Architecture");
  }

  @Test
  void bothPackagesShareOneDpkgOrderedVersion() throws Exception {
    String v = field(agent, "Version");
    assertEquals(v, field(collector, "Version"), "the two packages' versions");
    assertTrue(v.matches(VERSION_PATTERN), "Version: " + v + " is not " + VERSION_PATTERN);
    if (v.contains("~SNAPSHOT")) {
      String release = v.substring(0, v.indexOf('~'));
      // dpkg must order a snapshot before the release it leads to.
      assertEquals(
          "",
          Commands.run(true, "dpkg", "--compare-versions", v, "lt", release).trim(),
          v + " must sort before " + release);
    }
  }

  @Test
  void maintainerScriptsParseGuardSystemdAndReleaseTheHostOnRemove(@TempDir Path tmp)
      throws Exception {
    for (Path deb : List.of(agent, collector)) {
      Path control = tmp.resolve(deb.getFileName().toString());
      Commands.run(true, "dpkg-deb", "--control", deb.toString(), control.toString());
      for (String script : List.of("postinst", "prerm", "postrm")) {
        Path s = control.resolve(script);
        assertTrue(Files.isRegularFile(s), deb.getFileName() + " has no " + script);
        assertTrue(Files.isExecutable(s), deb.getFileName() + ": " + script + " is not executable");
        String text = Files.readString(s);
        assertTrue(text.startsWith("#!/bin/sh\n"), script + " must be a /bin/sh script");
        assertTrue(text.contains("\nset -e\n"), script + " must set -e");
        Commands.run(true, "sh", "-n", s.toString());
        // deb-systemd-invoke and systemctl only where systemd runs and dpkg works on this root,
        // as dh_installsystemd guards them.
        List<String> unguarded = SystemdGuards.unguardedCalls(text, SystemdGuards.ALL);
        assertTrue(
            unguarded.isEmpty(),
            deb.getFileName()
                + ": "
                + script
                + " calls systemd outside an if ["
                + " -z \"${DPKG_ROOT:-}\" ] && [ -d /run/systemd/system ] block:\n"
                + String.join("\n", unguarded));
        // dpkg --root DIR --force-script-chrootless: paths of DIR, not of the running host.
        List<String> unrooted = MaintainerScriptPaths.unrootedPaths(text);
        assertTrue(
            unrooted.isEmpty(),
            deb.getFileName()
                + ": "
                + script
                + " names /etc/vigil or /var/lib/vigil without $DPKG_ROOT in front:\n"
                + String.join("\n", unrooted));
      }
    }
    String prerm = Files.readString(tmp.resolve(agent.getFileName().toString()).resolve("prerm"));
    assertTrue(
        prerm.contains("vigil-agent release-host")
            && prerm.contains("release-host --config \"$config\"")
            && prerm.contains("config=\"$DPKG_ROOT/etc/vigil/agent.yaml\""),
        "the agent's prerm must run vigil-agent release-host on remove");
    assertEquals(List.of(), PreRemoveScriptTest.sourcingLines(prerm), "the prerm sources a file");
    String postinst =
        Files.readString(tmp.resolve(collector.getFileName().toString()).resolve("postinst"));
    assertTrue(postinst.contains("adduser --system"), "the collector's postinst makes user vigil");
  }

  @Test
  void packagedUnitsAndLaunchersAreTheSources(@TempDir Path tmp) throws Exception {
    Path installers = ShadedJars.repoRoot().resolve("installers");
    Map<String, Path> agentFiles = new TreeMap<>();
    agentFiles.put(
        "./lib/systemd/system/vigil-agent.service",
        installers.resolve("systemd/vigil-agent.service"));
    agentFiles.put("./usr/lib/vigil/agent/bin/vigil-agent", installers.resolve("bin/vigil-agent"));
    agentFiles.put(
        "./usr/lib/vigil/agent/bin/vigil-jvm.sh", installers.resolve("bin/vigil-jvm.sh"));
    Map<String, Path> collectorFiles = new TreeMap<>();
    collectorFiles.put(
        "./lib/systemd/system/vigil-collector.service",
        installers.resolve("systemd/vigil-collector.service"));
    collectorFiles.put(
        "./usr/lib/vigil/collector/bin/vigilctl", installers.resolve("bin/vigilctl"));
    for (Map.Entry<Path, Map<String, Path>> pkg :
        Map.of(agent, agentFiles, collector, collectorFiles).entrySet()) {
      Path into = Files.createDirectories(tmp.resolve(pkg.getKey().getFileName().toString()));
      List<String> argv =
          new ArrayList<>(
              List.of(
                  "sh",
                  "-c",
                  "d=\"$1\"; shift; dpkg-deb --fsys-tarfile \"$0\" | tar -x -C \"$d\" \"$@\"",
                  pkg.getKey().toString(),
                  into.toString()));
      argv.addAll(pkg.getValue().keySet());
      Commands.run(true, argv);
      for (Map.Entry<String, Path> f : pkg.getValue().entrySet()) {
        assertEquals(
            Files.readString(f.getValue()),
            Files.readString(into.resolve(f.getKey())),
            f.getKey() + " in " + pkg.getKey().getFileName() + " differs from " + f.getValue());
      }
    }
  }

  /**
   * Every expected path is in the package with the mode given ({@code "l -> TARGET"} for a
   * symlink), and every entry is owned by root:root.
   */
  private static void checkLayout(Path deb, Map<String, String> expected) throws Exception {
    Map<String, String> actual = new TreeMap<>();
    List<String> wrongOwner = new ArrayList<>();
    for (String line : Commands.run(true, "dpkg-deb", "--contents", deb.toString()).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      // drwxr-xr-x root/root         0 2026-11-29 00:17 ./usr/
      String[] f = line.trim().split("\\s+", 6);
      String path = f[5].substring(1);
      String mode = f[0];
      if (!f[1].equals("root/root")) {
        wrongOwner.add(path + " " + f[1]);
      }
      int arrow = path.indexOf(" -> ");
      if (mode.startsWith("l") && arrow > 0) {
        actual.put(path.substring(0, arrow), "l -> " + path.substring(arrow + 4));
      } else {
        actual.put(path, mode);
      }
    }
    assertTrue(wrongOwner.isEmpty(), deb.getFileName() + ": not root:root: " + wrongOwner);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String got = actual.get(e.getKey());
      if (got == null) {
        problems.add(e.getKey() + " is missing");
      } else if (!got.equals(e.getValue())) {
        problems.add(e.getKey() + " is " + got + ", want " + e.getValue());
      }
    }
    for (Map.Entry<String, String> e : actual.entrySet()) {
      String mode = e.getValue();
      if (!mode.startsWith("d")
          && !mode.startsWith("l")
          && (mode.charAt(8) == 'w' || mode.contains("s"))) {
        problems.add(e.getKey() + " is " + mode + ": world-writable, setuid or setgid");
      }
    }
    assertTrue(problems.isEmpty(), deb.getFileName() + ":\n" + String.join("\n", problems));
  }

  /**
   * The package has the layout {@link #checkLayout} checks, exactly {@code wantConffiles} (sorted)
   * as conffiles, and depends on each of {@code wantDepends}.
   */
  private static void checkPackage(
      Path deb, Map<String, String> expected, List<String> wantConffiles, List<String> wantDepends)
      throws Exception {
    checkLayout(deb, expected);
    assertEquals(wantConffiles, conffiles(deb), "conffiles");
    String depends = field(deb, "Depends");
    for (String d : wantDepends) {
      assertTrue(depends.contains(d), "Depends: " + depends + " lacks " + d);
    }
  }

  private static List<String> conffiles(Path deb) throws Exception {
    List<String> list = new ArrayList<>();
    for (String line :
        Commands.run(true, "dpkg-deb", "--info", deb.toString(), "conffiles").split("\n")) {
      if (!line.isBlank()) {
        list.add(line.strip());
      }
    }
    list.sort(null);
    return list;
  }

  private static String field(Path deb, String name) throws Exception {
    return Commands.run(true, "dpkg-deb", "--field", deb.toString(), name).strip();
  }
}
