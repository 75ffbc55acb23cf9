package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.ShadedJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's prerm passes the service's environment ({@code /etc/default/vigil-agent}) to
 * release-host by reading the file as systemd does, with install.sh's parser: never by sourcing it
 * (which would run what a value holds, as root, during a removal), and without the JVM sizing the
 * service uses. Its functions are taken from the script itself and run here; the removal itself
 * (service, nftables, audit) is the end-to-end package test's.
 */
class PreRemoveScriptTest {
  private static final Path PRERM =
      ShadedJars.repoRoot().resolve("installers/deb/agent/control/prerm");
  private static final Path INSTALL_SH = ShadedJars.repoRoot().resolve("installers/install.sh");

  /** A line that runs another file in this shell: ". FILE" or "source FILE" as a command. */
  private static final Pattern SOURCES =
      Pattern.compile("(?:^|[;&|(]|\\bthen|\\bdo|\\belse)\\s*(?:\\.|source)\\s+\\S");

  /** The non-comment lines of a script that source a file or export everything (set -a). */
  static List<String> sourcingLines(String script) {
    List<String> found = new ArrayList<>();
    for (String line : script.split("\n", -1)) {
      String l = line.strip();
      if (l.startsWith("#")) {
        continue;
      }
      if (SOURCES.matcher(l).find() || l.matches("set\\s+(-\\w*a\\w*\\s*)+")) {
        found.add(l);
      }
    }
    return found;
  }

  private static String function(Path script, String name) throws Exception {
    String text = Files.readString(script);
    int start = text.indexOf("\n" + name + "() {\n");
    assertTrue(start >= 0, script + " has no function " + name);
    return text.substring(start + 1, text.indexOf("\n}\n", start) + 3);
  }

  /** Runs the prerm's functions (taken from the script) with sh -c CALL ARGS. */
  private static InstallScriptTest.Run prermFunctions(String call, String... args)
      throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add("env");
    argv.add("VIGIL_AGENT_JAVA_OPTS=-Xmx1m");
    argv.add("VIGIL_AGENT__INHERITED=kept");
    argv.add("sh");
    argv.add("-c");
    argv.add(
        "set -eu; DPKG_ROOT=; eval \"$(sed -n -e '/^env_file_value() {/,/^}/p'"
            + " -e '/^service_state_dir() {/,/^}/p' -e '/^release_host_environment() {/,/^}/p'"
            + " \"$0\")\"; "
            + call);
    argv.add(PRERM.toString());
    argv.addAll(List.of(args));
    return InstallScriptTest.exec(argv);
  }

  private static Map<String, String> environment(String output) {
    Map<String, String> env = new TreeMap<>();
    for (String line : output.split("\n")) {
      int eq = line.indexOf('=');
      String key = eq > 0 ? line.substring(0, eq) : "";
      if (key.equals("JAVA_HOME") || key.startsWith("VIGIL_AGENT")) {
        env.put(key, line.substring(eq + 1));
      }
    }
    return env;
  }

  @Test
  void thePrermNeverSourcesTheEnvironmentFile() throws Exception {
    String prerm = Files.readString(PRERM);
    assertEquals(List.of(), sourcingLines(prerm));
    assertFalse(prerm.contains("VIGIL_AGENT_JAVA_OPTS=") || prerm.contains("export VIGIL_AGENT_"));
    // The check catches the ways a script could source it.
    assertEquals(
        List.of(
            "set -a",
            ". /etc/default/vigil-agent",
            "source \"$DPKG_ROOT/etc/default/vigil-agent\"",
            "if [ -r \"$f\" ]; then . \"$f\"; fi"),
        sourcingLines(
            "# . /etc/default/vigil-agent is never done\n"
                + "set -a\n"
                + ". /etc/default/vigil-agent\n"
                + "source \"$DPKG_ROOT/etc/default/vigil-agent\"\n"
                + "if [ -r \"$f\" ]; then . \"$f\"; fi\n"
                + "x=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n"
                + "v=${v%.}; ./configure\n"));
  }

  @Test
  void theParserIsInstallShs() throws Exception {
    assertEquals(function(INSTALL_SH, "env_file_value"), function(PRERM, "env_file_value"));
  }

  @Test
  void releaseHostGetsWhatSystemdGivesTheServiceAndNothingIsRun(@TempDir Path tmp)
      throws Exception {
    Path marker = tmp.resolve("ran");
    String run = "$(touch " + marker + ")`touch " + marker + "`";
    Path file =
        Files.writeString(
            tmp.resolve("vigil-agent"),
            "# the service's environment\n"
                + "VIGIL_AGENT_JAVA_OPTS=-Xms16m -Xmx128m\n"
                + "JAVA_HOME=\"/usr/lib/jvm/with space\"\n"
                + "VIGIL_AGENT__RESPONSE__TABLE="
                + run
                + "\n"
                + "  VIGIL_AGENT__AGENT__STATE_DIR = '/srv/vigil state'  \n"
                + "VIGIL_AGENT__BUDGET__CPU=10\n"
                + "VIGIL_AGENT__BUDGET__CPU=25\n"
                + "#VIGIL_AGENT__COMMENTED=1\n"
                + ";VIGIL_AGENT__ALSO_COMMENTED=1\n"
                + "touch "
                + marker
                + "\n");
    InstallScriptTest.Run r =
        prermFunctions("unset JAVA_HOME; release_host_environment \"$1\"; env", file.toString());
    assertEquals(0, r.status(), r.output());
    Map<String, String> expected = new TreeMap<>();
    expected.put("JAVA_HOME", "/usr/lib/jvm/with space");
    expected.put("VIGIL_AGENT__RESPONSE__TABLE", run);
    expected.put("VIGIL_AGENT__AGENT__STATE_DIR", "/srv/vigil state");
    expected.put("VIGIL_AGENT__BUDGET__CPU", "25");
    expected.put("VIGIL_AGENT__INHERITED", "kept");
    // No VIGIL_AGENT_JAVA_OPTS: neither the file's nor the inherited one.
    assertEquals(expected, environment(r.output()), r.output());
    assertFalse(Files.exists(marker), "a command in the file was run");
    // The same values as install.sh's and the launcher's readers give.
    for (String key : List.of("VIGIL_AGENT__RESPONSE__TABLE", "VIGIL_AGENT__AGENT__STATE_DIR")) {
      InstallScriptTest.Run i =
          InstallScriptTest.functions("env_file_value \"$1\" \"$2\"", file.toString(), key);
      assertEquals(expected.get(key), i.output(), key);
    }
    InstallScriptTest.Run launcher =
        InstallScriptTest.exec(
            List.of(
                "bash",
                "-c",
                "set -euo pipefail; unset JAVA_HOME; . \"$0\"; vigil_env_file_value \"$1\" \"$2\"",
                ShadedJars.repoRoot().resolve("installers/bin/vigil-jvm.sh").toString(),
                file.toString(),
                "VIGIL_AGENT__RESPONSE__TABLE"));
    assertEquals(run + "\n", launcher.output());
    assertFalse(Files.exists(marker), "a command in the file was run");

    // No file: nothing exported, JAVA_OPTS still dropped.
    r =
        prermFunctions(
            "unset JAVA_HOME; release_host_environment \"$1\"; env",
            tmp.resolve("missing").toString());
    assertEquals(Map.of("VIGIL_AGENT__INHERITED", "kept"), environment(r.output()), r.output());
  }

  @Test
  void theStateFileMovedAsideIsTheServicesOne(@TempDir Path tmp) throws Exception {
    Path config = Files.writeString(tmp.resolve("agent.yaml"), "agent:\n  state_dir: /srv/a\n");
    Path defaults =
        Files.writeString(tmp.resolve("default"), "VIGIL_AGENT__AGENT__STATE_DIR=/srv/b\n");
    Path none = tmp.resolve("none");
    String call = "config=$1; defaults=$2; service_state_dir";
    for (List<String> c :
        List.of(
            List.of(config.toString(), defaults.toString(), "/srv/b"),
            List.of(config.toString(), none.toString(), "/srv/a"),
            List.of(none.toString(), none.toString(), "/var/lib/vigil/agent"))) {
      InstallScriptTest.Run p = prermFunctions(call, c.get(0), c.get(1));
      InstallScriptTest.Run i = InstallScriptTest.functions(call, c.get(0), c.get(1));
      assertEquals(c.get(2), p.output(), "prerm " + c);
      assertEquals(i.output(), p.output(), "prerm and install.sh " + c);
    }
  }

  @Test
  void exitThreeCountsAsReleased() throws Exception {
    String prerm = Files.readString(PRERM);
    assertTrue(
        Pattern.compile("\\n\\s*0\\) released=yes ;;\\n\\s*3\\)\\n\\s*released=yes\\n")
            .matcher(prerm)
            .find(),
        "release-host's 0 and 3 are released");
    assertTrue(
        prerm.contains("state_file=\"$(service_state_dir)/containment.state\"")
            && prerm.contains("mv -f \"$state_file\" \"$state_file.removed\""),
        "the last resort moves the state aside");
  }
}
