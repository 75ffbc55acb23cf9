package io.vigil.agent.uninstall;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.response.network.ContainmentStateFile;
import io.vigil.agent.response.network.NftTool;
import io.vigil.common.config.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vigil-agent release-host [--config FILE] [--set key=value]...}: undoes on this host
 * whatever an agent of that configuration's state directory enforces, for the package's {@code
 * prerm} on {@code remove}. In order: stops a still-running agent of that state directory (SIGTERM,
 * SIGKILL after {@link #GRACE}), marks {@code <state_dir>/containment.state} released, deletes
 * Vigil's {@code inet} table ({@code response.table}), and deletes the audit rules with the key
 * {@code sensors.process.audit_key}. Prints one line per action on stdout; a step that fails does
 * not stop the next.
 *
 * <p>A configuration that does not validate, or whose loading fails with an unexpected exception,
 * does not stop it either: it then releases with the keys it needs that are valid, and the built-in
 * defaults for the others (see {@code ReleaseTargets}), and says so on stderr.
 *
 * <p>Exit codes: {@value #EXIT_OK} everything released, or nothing was there to release; {@value
 * #EXIT_FAILED} something could not be released (its line, on stderr, says what and how to do it by
 * hand), whether the configuration was valid or not; {@value #EXIT_USAGE} a usage error (an unknown
 * argument; nothing was done); {@value #EXIT_RELEASED_WITH_FALLBACK} everything released, but with
 * the fallback settings because the configuration is invalid (an agent of another state directory
 * or table than the fallback's would not have been found, so the operator should look).
 */
public final class ReleaseHostCommand {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_RELEASED_WITH_FALLBACK = 3;

  /**
   * How long a running agent may take to stop on SIGTERM (systemd's default stop timeout is 90 s;
   * the agent stops in a few).
   */
  public static final Duration GRACE = Duration.ofSeconds(30);

  static final String USAGE =
      "usage: vigil-agent release-host [--config FILE] [--set key.path=value]...";

  /** Loads and validates the configuration ({@link AgentConfig#load}; tests pass another). */
  @FunctionalInterface
  interface ConfigSource {
    AgentConfig load(Optional<Path> file, Map<String, String> env, List<String> sets)
        throws ConfigException;
  }

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;
  private final Duration grace;
  private final ConfigSource configs;

  public ReleaseHostCommand(PrintStream out, PrintStream err, Map<String, String> env) {
    this(out, err, env, GRACE, AgentConfig::load);
  }

  ReleaseHostCommand(
      PrintStream out,
      PrintStream err,
      Map<String, String> env,
      Duration grace,
      ConfigSource configs) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.grace = grace;
    this.configs = configs;
  }

  /** Runs the command on the arguments after {@code release-host}; returns the exit code. */
  public int run(String[] args) {
    ReleaseHostArgs a;
    try {
      a = ReleaseHostArgs.parse(args);
    } catch (ReleaseHostArgs.UsageException e) {
      err.println("vigil-agent release-host: " + e.getMessage() + "\n" + USAGE);
      return EXIT_USAGE;
    }
    ReleaseTargets targets = null;
    String problem = null;
    try {
      targets = ReleaseTargets.of(configs.load(a.config().file(), env, a.config().sets()));
    } catch (ConfigException e) {
      // A removal must release the host anyway: a deleted conffile, a typo never restarted, or a
      // key valid only on another host must not leave it isolated.
      problem = e.getMessage();
    } catch (RuntimeException e) {
      // Nor may a bug in a binder tripping over odd input: released the same way, the exception
      // named so that it can be reported.
      problem = "loading the configuration failed: " + e;
    }
    boolean configProblem = problem != null;
    if (configProblem) {
      targets = ReleaseTargets.lenientOrDefaults(a.config().file(), env, a.config().sets(), err);
      err.println(
          "vigil-agent release-host: invalid configuration (releasing anyway, with the valid or"
              + " built-in settings: "
              + targets.describe()
              + "):\n"
              + problem);
    }
    List<Step> steps = new ArrayList<>();
    // First the agent: a running one would put the table back (it restores tampered tables).
    steps.add(new RunningAgentStop(targets.stateDir(), grace).run());
    steps.addAll(
        new ContainmentRelease(
                targets.stateDir().resolve(ContainmentStateFile.NAME),
                new NftTool(targets.nft()),
                targets.nft(),
                targets.table())
            .run());
    steps.add(new AuditRuleRemoval(targets.auditKey()).run());
    boolean failed = false;
    for (Step s : steps) {
      (s.failed() ? err : out).println("vigil-agent release-host: " + s.line());
      failed |= s.failed();
    }
    if (failed) {
      err.println(
          "vigil-agent release-host: not everything could be released (see above); to release the"
              + " network by hand: nft delete table inet "
              + targets.table());
      return EXIT_FAILED;
    }
    if (configProblem) {
      err.println(
          "vigil-agent release-host: released everything with the settings above; exit "
              + EXIT_RELEASED_WITH_FALLBACK
              + " because the configuration is invalid (an agent of another state directory or"
              + " table would not have been found)");
      return EXIT_RELEASED_WITH_FALLBACK;
    }
    return EXIT_OK;
  }
}
