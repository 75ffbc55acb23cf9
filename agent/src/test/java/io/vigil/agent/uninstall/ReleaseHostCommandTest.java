package io.vigil.agent.uninstall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.AuditNetlinkException;
import io.vigil.agent.platform.linux.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argument handling of {@code vigil-agent release-host}: what it accepts, that a usage error
 * exits 2 before anything on the host is touched (the state file an isolated agent left stays as it
 * was), and that an invalid or missing configuration still releases, with the keys that are valid
 * and built-in defaults for the others, and exits 3 when it released everything that way; that a
 * binder throwing is handled the same way; and that a host without audit counts as released.
 * Releasing on a real kernel is {@code ReleaseHostTest} (testkit).
 */
class ReleaseHostCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new ReleaseHostCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of())
        .run(args);
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void acceptsNothingOrConfigAndSets() throws Exception {
    ReleaseHostArgs none = ReleaseHostArgs.parse(new String[0]);
    assertEquals(Optional.empty(), none.config().file());
    assertEquals(List.of(), none.config().sets());

    ReleaseHostArgs some =
        ReleaseHostArgs.parse(
            new String[] {"--config", "/etc/vigil/agent.yaml", "--set", "response.table=v2"});
    assertEquals(Optional.of(Path.of("/etc/vigil/agent.yaml")), some.config().file());
    assertEquals(List.of("response.table=v2"), some.config().sets());
  }

  @Test
  void anUnknownArgumentIsAUsageErrorNamingIt() {
    ReleaseHostArgs.UsageException e =
        assertThrows(
            ReleaseHostArgs.UsageException.class,
            () -> ReleaseHostArgs.parse(new String[] {"--force"}));
    assertTrue(e.getMessage().contains("\"--force\""), e.getMessage());
  }

  private static final String ISOLATED =
      "version=1\nisolated=true\ncollector_host=10.0.0.5\ncollector_port=7443\n"
          + "collector_address=10.0.0.5\nbaseline=\n";

  /** A state directory whose containment state says isolated, as an isolated agent leaves it. */
  private Path isolatedState() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.writeString(state.resolve("containment.state"), ISOLATED);
    return state;
  }

  /**
   * Keeps the test off the host's own Vigil: no nft (so no table is looked for) and an audit key no
   * real rule carries.
   */
  private static final String[] HARMLESS = {
    "--set", "response.nft=/nonexistent/vigil-test-nft",
    "--set", "sensors.process.audit_key=vigil-test-relfix"
  };

  private static String[] with(String... args) {
    String[] all = new String[args.length + HARMLESS.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(HARMLESS, 0, all, args.length, HARMLESS.length);
    return all;
  }

  @Test
  void usageErrorsExit2AndTouchNothing() throws Exception {
    Path state = isolatedState();
    String stateDir = "agent.state_dir=" + state;

    assertEquals(2, run(with("--set", stateDir, "--now")));
    assertTrue(errText().contains("unknown argument \"--now\""), errText());
    assertTrue(errText().contains("usage: vigil-agent release-host"), errText());

    err.reset();
    assertEquals(2, run("--set", stateDir, "--config"));
    assertFalse(errText().isEmpty());

    assertEquals(
        ISOLATED,
        Files.readString(state.resolve("containment.state")),
        "nothing was released on a usage error");
    assertEquals("", out.toString(StandardCharsets.UTF_8), "no action reported");
  }

  @Test
  void anInvalidConfigStillReleasesWithTheValidKeysAndExits3() throws Exception {
    Path state = isolatedState();
    // A typo edited in after the agent's last start, and a table name the agent rejects.
    Path yaml = dir.resolve("agent.yaml");
    Files.writeString(
        yaml,
        "agent:\n  state_dir: "
            + state
            + "\nrespons:\n  table: x\nresponse:\n  table: Not-A-Table\n"
            + "budget:\n  cpu: 100000\n");

    assertEquals(3, run(with("--config", yaml.toString())), errText());
    assertTrue(errText().contains("exit 3 because the configuration is invalid"), errText());

    assertTrue(errText().contains("invalid configuration (releasing anyway"), errText());
    assertTrue(errText().contains("respons"), "names the problem: " + errText());
    assertTrue(errText().contains("response.table"), errText());
    assertTrue(
        errText().contains("state directory " + state), "the file's state_dir: " + errText());
    assertTrue(errText().contains("table inet vigil,"), "the default table: " + errText());
    assertTrue(errText().contains("audit key vigil-test-relfix"), errText());
    String o = out.toString(StandardCharsets.UTF_8);
    assertTrue(o.contains("marked released (was isolated)"), o);
    assertTrue(
        Files.readString(state.resolve("containment.state")).contains("isolated=false"),
        "released in the state directory the file names");
  }

  @Test
  void aMissingConfigStillReleasesWithDefaultsAndOverridesAndExits3() throws Exception {
    Path state = isolatedState();
    Path absent = dir.resolve("absent.yaml");

    // The state directory comes from the environment, as /etc/default/vigil-agent can set it.
    int code =
        new ReleaseHostCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(
                    "VIGIL_AGENT__AGENT__STATE_DIR",
                    state.toString(),
                    "VIGIL_AGENT__RESPONSE__TABLE",
                    "vigil_two"))
            .run(with("--config", absent.toString()));

    assertEquals(3, code, errText());
    assertTrue(errText().contains("absent.yaml"), errText());
    assertTrue(errText().contains("state directory " + state), errText());
    assertTrue(errText().contains("table inet vigil_two,"), errText());
    assertTrue(
        Files.readString(state.resolve("containment.state")).contains("isolated=false"),
        Files.readString(state.resolve("containment.state")));
  }

  @Test
  void withNothingValidTheFallbackIsTheBuiltInDefaults() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path nft = Files.writeString(bin.resolve("nft"), "#!/bin/sh\n");
    nft.toFile().setExecutable(true);

    ReleaseTargets none =
        ReleaseTargets.lenient(Optional.of(dir.resolve("absent.yaml")), Map.of(), List.of());
    assertEquals(
        new ReleaseTargets(
            Path.of("/var/lib/vigil/agent"), "vigil", Path.of("/usr/sbin/nft"), "vigil"),
        none);

    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(
        yaml,
        "agent:\n  state_dir: relative/dir\nresponse:\n  table: 7up\n"
            + "sensors:\n  process:\n    audit_key: \"has space\"\n");
    ReleaseTargets bad =
        ReleaseTargets.lenient(Optional.of(yaml), Map.of("PATH", "/nonexistent:" + bin), List.of());
    assertEquals(new ReleaseTargets(Path.of("/var/lib/vigil/agent"), "vigil", nft, "vigil"), bad);

    ReleaseTargets set =
        ReleaseTargets.lenient(
            Optional.of(yaml),
            Map.of("VIGIL_AGENT__RESPONSE__NFT", "/opt/nft"),
            List.of("response.table=vigil_set", "sensors.process.audit_key=k.1"));
    assertEquals(
        new ReleaseTargets(
            Path.of("/var/lib/vigil/agent"), "vigil_set", Path.of("/opt/nft"), "k.1"),
        set);
  }

  @Test
  void findsVigilsTableInAListedRuleset() {
    String ruleset =
        "table inet other {\n}\ntable ip vigil {\n}\ntable inet vigil_test {\n"
            + "\tchain input {\n\t}\n}\n";
    assertTrue(ContainmentRelease.hasTable(ruleset, "vigil_test"));
    assertFalse(ContainmentRelease.hasTable(ruleset, "vigil"), "family ip is not Vigil's");
    assertFalse(ContainmentRelease.hasTable(ruleset, "vigil_tes"));
  }

  @Test
  void aBinderThatThrowsStillReleasesWithTheLenientSettingsAndExits3() throws Exception {
    Path state = isolatedState();
    Path yaml = dir.resolve("agent.yaml");
    Files.writeString(yaml, "agent:\n  state_dir: " + state + "\n");
    // Stands for a binder bug on odd input: no real input is known to throw.
    ReleaseHostCommand.ConfigSource throwing =
        (file, env, sets) -> {
          throw new IllegalStateException("vigil-test: binder bug");
        };

    int code =
        new ReleaseHostCommand(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(),
                ReleaseHostCommand.GRACE,
                throwing)
            .run(with("--config", yaml.toString()));

    assertEquals(3, code, errText());
    assertTrue(
        errText()
            .contains(
                "loading the configuration failed: java.lang.IllegalStateException: vigil-test:"
                    + " binder bug"),
        errText());
    assertTrue(errText().contains("state directory " + state), "the lenient read: " + errText());
    assertTrue(
        Files.readString(state.resolve("containment.state")).contains("isolated=false"),
        "released in the state directory the file names");
  }

  @Test
  void somethingNotReleasedExits1EvenWithAnInvalidConfig() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    // A directory where the state file should be: it cannot be read, so that step fails.
    Files.createDirectory(state.resolve("containment.state"));
    Path yaml = dir.resolve("agent.yaml");
    Files.writeString(yaml, "agent:\n  state_dir: " + state + "\nrespons: {}\n");

    assertEquals(1, run(with("--config", yaml.toString())), errText());
    assertTrue(errText().contains("containment state: cannot read"), errText());
    assertTrue(errText().contains("not everything could be released"), errText());
    assertFalse(errText().contains("exit 3"), errText());
  }

  @Test
  void aRelativeNftInTheFallbackIsReplacedByThePathLookup() throws Exception {
    Path bin = Files.createDirectory(dir.resolve("bin"));
    Path nft = Files.writeString(bin.resolve("nft"), "#!/bin/sh\n");
    nft.toFile().setExecutable(true);
    Path yaml = dir.resolve("bad.yaml");
    Files.writeString(yaml, "response:\n  nft: bin/nft\n  tabel: x\n");

    ReleaseTargets t =
        ReleaseTargets.lenient(Optional.of(yaml), Map.of("PATH", bin.toString()), List.of());
    assertEquals(nft, t.nft());
    ReleaseTargets none = ReleaseTargets.lenient(Optional.of(yaml), Map.of(), List.of());
    assertEquals(ReleaseTargets.DEFAULT_NFT, none.nft());
  }

  private static AuditRuleRemoval refusing(IOException e) {
    return new AuditRuleRemoval(
        "vigil-test-relfix",
        () -> {
          throw e;
        });
  }

  @Test
  void noAuditInTheKernelOrNamespaceMeansNothingToRemove() {
    Step noKernelAudit =
        refusing(
                new AuditNetlinkException(
                    "socket(AF_NETLINK, NETLINK_AUDIT) failed with errno 93",
                    Errno.EPROTONOSUPPORT))
            .run();
    assertFalse(noKernelAudit.failed(), noKernelAudit.line());
    assertTrue(noKernelAudit.line().contains("not available here"), noKernelAudit.line());
    assertTrue(noKernelAudit.line().contains("errno 93"), noKernelAudit.line());

    Step container =
        refusing(new AuditNetlinkException("AUDIT_GET failed with errno 111", Errno.ECONNREFUSED))
            .run();
    assertFalse(container.failed(), container.line());

    Step noCapability =
        refusing(
                new IOException(
                    "audit netlink needs CAP_AUDIT_CONTROL: socket(AF_NETLINK, NETLINK_AUDIT)"
                        + " failed with errno 1"))
            .run();
    assertTrue(noCapability.failed(), noCapability.line());
    assertTrue(noCapability.line().contains("auditctl -D -k vigil-test-relfix"));

    Step other =
        refusing(new AuditNetlinkException("socket failed with errno 12", Errno.ENOMEM)).run();
    assertTrue(other.failed(), other.line());
  }
}
