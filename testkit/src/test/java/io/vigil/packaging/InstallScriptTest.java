package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.AgentConfig;
import io.vigil.testkit.ShadedJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code installers/install.sh} refuses bad arguments with a usage message and exit status 2 before
 * it touches anything, and looks for an existing enrolment where the service keeps it. The install
 * itself, and running it twice (idempotence), need a real dpkg install of vigil-agent: the
 * end-to-end package test covers them; nothing here installs a package.
 */
class InstallScriptTest {
  private static final String FINGERPRINT =
      "61:29:97:e0:c0:4e:b8:33:c8:cd:f1:65:5d:b9:ae:62:1b:0f:c3:d1:58:a2:67:3c:b2:52:da:29:73:4d:a8:56";

  record Run(int status, String output) {}

  private static Run run(String... args) throws IOException, InterruptedException {
    Path script = ShadedJars.repoRoot().resolve("installers/install.sh");
    List<String> argv = new ArrayList<>(List.of("sh", script.toString()));
    argv.addAll(List.of(args));
    return exec(argv);
  }

  /** install.sh with just the three arguments it requires. */
  private static Run runWith(String collector, String tokenFile, String caFingerprint)
      throws IOException, InterruptedException {
    return run(
        "--collector", collector, "--token-file", tokenFile, "--ca-fingerprint", caFingerprint);
  }

  /**
   * Runs argv with stdin closed; its output goes to a file, so that the timeout applies even when
   * it never ends (reading a pipe to its end would wait forever).
   */
  static Run exec(List<String> argv) throws IOException, InterruptedException {
    Path log = Files.createTempFile("vigil-test-install", ".log");
    try {
      Process p =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(argv + " did not finish in 60 s:\n" + Files.readString(log));
      }
      return new Run(p.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static void assertUsageError(Run r, String mentions) {
    assertEquals(2, r.status(), "exit status for a usage error; output:\n" + r.output());
    assertTrue(r.output().contains("usage:"), "no usage message:\n" + r.output());
    assertTrue(
        r.output().contains(mentions),
        "the message should mention " + mentions + ":\n" + r.output());
  }

  @Test
  void missingArgumentsAreUsageErrors(@TempDir Path tmp) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "secret\n");
    assertUsageError(run(), "--collector");
    assertUsageError(run("--collector", "c:7443", "--ca-fingerprint", FINGERPRINT), "--token-file");
    assertUsageError(
        run("--collector", "c:7443", "--token-file", token.toString()), "--ca-fingerprint");
    assertUsageError(run("--bogus"), "unknown argument: --bogus");
    assertUsageError(run("--collector"), "--collector needs a value");
  }

  @Test
  void malformedValuesAreUsageErrors(@TempDir Path tmp) throws Exception {
    Path token = Files.writeString(tmp.resolve("token"), "secret\n");
    assertUsageError(runWith("collector", token.toString(), FINGERPRINT), "HOST:PORT");
    assertUsageError(runWith("c:74x", token.toString(), FINGERPRINT), "HOST:PORT");
    assertUsageError(runWith("c:7443", tmp.resolve("none").toString(), FINGERPRINT), "cannot read");
    assertUsageError(runWith("c:7443", token.toString(), "abc"), "not a SHA-256 fingerprint");
    Path badFile = Files.writeString(tmp.resolve("fp"), "not a fingerprint\n");
    assertUsageError(
        runWith("c:7443", token.toString(), badFile.toString()), "not a SHA-256 fingerprint");
    // A good fingerprint (in a file, with a prefix) and an IPv6 collector get past the checks to
    // the package: none named, none beside the script in the source tree.
    Path goodFile =
        Files.writeString(tmp.resolve("fp-ok"), "\nsha256:" + FINGERPRINT.toUpperCase() + "\n");
    assertUsageError(
        run(
            "--collector",
            "[::1]:7443",
            "--token-file",
            token.toString(),
            "--ca-fingerprint",
            goodFile.toString(),
            "--package",
            tmp.resolve("none.deb").toString()),
        "--package: no such file");
  }

  /** Runs install.sh's shell functions (taken from the script itself) on the arguments. */
  static Run functions(String call, String... args) throws Exception {
    Path script = ShadedJars.repoRoot().resolve("installers/install.sh");
    List<String> argv = new ArrayList<>();
    argv.add("sh");
    argv.add("-c");
    argv.add(
        "set -eu; eval \"$(sed -n -e '/^env_file_value() {/,/^}/p'"
            + " -e '/^service_state_dir() {/,/^}/p' -e '/^fail() {/,/^}/p'"
            + " -e '/^keep_installed() {/,/^}/p' \"$0\")\"; "
            + call);
    argv.add(script.toString());
    argv.addAll(List.of(args));
    return exec(argv);
  }

  /**
   * The package step is skipped when the installed agent is that version or newer (a host upgraded
   * through apt since): the script never downgrades, also not a newer one left half-configured.
   * Versions are compared by the real dpkg; nothing is installed.
   */
  @Test
  void anInstalledAgentIsNeverDowngraded() throws Exception {
    String call =
        "me=install.sh; if keep_installed \"$1\" \"$2\" /b/vigil-agent_1.0_all.deb;"
            + " then echo KEEP; else echo INSTALL; fi";
    // dpkg-query's "${Version} ${db:Status-Abbrev}" -> what the script does with bundle 1.0.
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("2.0 ii ", "KEEP");
    cases.put("1.0~rc1 ii ", "INSTALL");
    cases.put("1.0 ii ", "KEEP");
    cases.put("1.0+deb1 ii ", "KEEP");
    cases.put("0.9 ii ", "INSTALL");
    cases.put("2.0 rc ", "INSTALL");
    cases.put("0.9 iF ", "INSTALL");
    cases.put("", "INSTALL");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Run r = functions(call, c.getKey(), "1.0");
      assertEquals(0, r.status(), c.getKey() + ": " + r.output());
      assertTrue(r.output().endsWith(c.getValue() + "\n"), c.getKey() + ": " + r.output());
    }
    Run newer = functions(call, "2.0 ii ", "1.0");
    assertTrue(
        newer.output().contains("vigil-agent 2.0 (newer than 1.0) is installed; not downgrading")
            && newer.output().contains("--allow-downgrades /b/vigil-agent_1.0_all.deb"),
        newer.output());
    assertTrue(functions(call, "1.0 ii ", "1.0").output().contains("1.0 is installed already"));
    Run halfConfigured = functions(call, "2.0 iU ", "1.0");
    assertEquals(1, halfConfigured.status(), halfConfigured.output());
    assertTrue(halfConfigured.output().contains("not downgrading"), halfConfigured.output());
  }

  private static String serviceStateDir(Path config, Path defaults) throws Exception {
    Run r =
        functions(
            "config=$1; defaults=$2; service_state_dir", config.toString(), defaults.toString());
    assertEquals(0, r.status(), r.output());
    return r.output();
  }

  /**
   * The "already enrolled" check looks where the service keeps its enrolment: the EnvironmentFile's
   * VIGIL_AGENT__AGENT__STATE_DIR over the config's agent.state_dir over the default, as the
   * agent's own loader decides for the service.
   */
  @Test
  void enrolmentCheckUsesTheServicesStateDir(@TempDir Path tmp) throws Exception {
    Path packaged = ShadedJars.repoRoot().resolve("installers/deb/agent/agent.yaml");
    Path none = tmp.resolve("none");
    Path yaml =
        Files.writeString(
            tmp.resolve("agent.yaml"),
            "# state_dir: /not/this\nsensors:\n  file:\n    exclude: [/root/.cache]\n"
                + "agent:   # the agent's own keys\n"
                + "  # state_dir: /commented/out\n"
                + "  state_dir: \"/srv/vigil agent\"   # moved to the big disk\n"
                + "collector:\n  address: \"\"\n");
    Path commented =
        Files.writeString(
            tmp.resolve("default-commented"), "#VIGIL_AGENT__AGENT__STATE_DIR=/not/this\n");
    Path setting =
        Files.writeString(
            tmp.resolve("default-setting"),
            "# the service's environment\nJAVA_HOME=/usr/lib/jvm/x\n"
                + "VIGIL_AGENT__AGENT__STATE_DIR=/first\n"
                + "  VIGIL_AGENT__AGENT__STATE_DIR = '/from/the/unit'  \n");
    record Case(Path config, Path defaults, Map<String, String> env) {}
    List<Case> cases =
        List.of(
            new Case(packaged, none, Map.of()),
            new Case(none, none, Map.of()),
            new Case(yaml, none, Map.of()),
            new Case(yaml, commented, Map.of()),
            new Case(yaml, setting, Map.of("VIGIL_AGENT__AGENT__STATE_DIR", "/from/the/unit")));
    for (Case c : cases) {
      Path expected =
          AgentConfig.load(
                  Files.exists(c.config()) ? Optional.of(c.config()) : Optional.empty(),
                  c.env(),
                  List.of())
              .stateDir();
      assertEquals(
          expected.toString(),
          serviceStateDir(c.config(), c.defaults()),
          "config " + c.config().getFileName() + ", defaults " + c.defaults().getFileName());
    }
  }
}
