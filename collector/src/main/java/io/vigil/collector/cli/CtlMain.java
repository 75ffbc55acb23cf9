package io.vigil.collector.cli;

import io.vigil.collector.api.OperatorApiException;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.ConfigException;
import io.vigil.common.time.WallClock;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code vigilctl}: the operator's command line. It talks only to the collector's operator API
 * (gRPC over TLS, authenticated by an API token; see {@code docs/operator-api.md}): alerts (list,
 * show, triage; {@code docs/triage.md}), who the token is, enrolment and API tokens, agents and
 * their revocation, hosts and the commands to them (ping, isolate, release, kill, quarantine,
 * restore, block, unblock, collect, snapshot; each waits for and shows its result), the process
 * tree around a process ({@code docs/process-tree.md}), the audit log.
 *
 * <p>Exit codes: {@value #EXIT_OK} done (a command to an agent: succeeded); {@value #EXIT_FAILED}
 * refused by the collector (token, role, workflow), not found, the collector unreachable, or a
 * command that failed, was rejected or expired; {@value #EXIT_USAGE} a usage or configuration error
 * (nothing was asked of the collector); {@value #EXIT_PENDING} a command queued or sent without a
 * result yet.
 */
public final class CtlMain {
  /** Exit code: done; for a command to an agent, its result says it succeeded. */
  static final int EXIT_OK = 0;

  /**
   * Exit code: refused by the collector, not found, unreachable; for a command to an agent, it
   * failed, was rejected by the agent, or expired.
   */
  static final int EXIT_FAILED = 1;

  /** Exit code: a usage or configuration error (nothing was asked of the collector). */
  static final int EXIT_USAGE = 2;

  /**
   * Exit code: a command to an agent is queued (the agent is not connected) or sent without a
   * result yet; {@code vigilctl commands HOST} shows it later.
   */
  static final int EXIT_PENDING = 3;

  static final String USAGE =
      """
      usage: vigilctl [CONNECTION] COMMAND [ARGS] [OPTIONS]
        alerts list [--state new,acknowledged,closed|open|all] [--level LEVEL] [--host HOST]
                    [--rule RULE] [--source sigma|correlation|intel|fim|health] [--since T]
                    [--until T] [--limit N] [--json]
        alerts show ID [--json]
        alerts ack ID [--note TEXT]                  (responder)
        alerts close ID --reason TEXT [--note TEXT]  (responder)
        alerts reopen ID [--note TEXT]               (responder)
        alerts assign ID USER                        (responder)
        alerts unassign ID                           (responder)
        alerts note ID TEXT...                       (responder)
        whoami
        agents
        hosts [--json]
        host HOST [--json]
        commands [HOST] [--limit N] [--json]
        tree HOST ENTITY [--max-events N] [--depth N] [--json]
        ping HOST                                    (responder; COMMAND OPTIONS below)
        isolate HOST [--allow "10.0.0.5 tcp/22"]... [--timeout-ms N]   (responder)
        release HOST                                 (responder)
        kill HOST PID [--entity ID] [--tree]         (responder)
        quarantine HOST PATH                         (responder)
        restore HOST QUARANTINE_ID                   (responder)
        block HOST ADDRESS | unblock HOST ADDRESS    (responder; an IP or CIDR network)
        collect HOST PATH [--max-bytes N]            (responder)
        snapshot HOST                                (responder)
        agent revoke AGENT_ID --reason TEXT          (admin)
        token create [--ttl 24h] [--uses 1] [--note TEXT] [--output FILE]   (admin)
        token list | token revoke ID                 (admin)
        api-token create --operator NAME --role viewer|responder|admin [--ttl D] [--output FILE]
        api-token list | api-token revoke ID         (admin)
        audit [list] [--limit N]                     (admin)
        audit verify                                 (admin; exit 0 intact, 1 broken)
        collected get COMMAND_ID --out FILE          (responder; a new file, SHA-256 checked)
        hunt QUERY [--since T] [--until T] [--limit N] [--host HOST]... [--json|--csv]
             [--fields F1,F2]   (search stored events, newest first; docs/hunting.md)
      list shows open alerts (new, acknowledged), newest 50, unless told otherwise; --level is the
      lowest level shown; --host is a host name or agent id; --rule a rule id or part of a title.
      tree: the process tree around a process (ancestors, descendants, their network, file and
      exit events); ENTITY is its entity id, as alerts and events show it (docs/process-tree.md).
      T: an age (30s, 15m, 1h, 2d, 1w), an instant (2026-11-28T07:00:00Z) or a date (2026-11-28).
      token: enrolment tokens for vigil-agent enroll; api-token: tokens for vigilctl. A new
      token is printed once (token: ...), or written to a new file (mode 0600) with --output.
      CONNECTION: --collector HOST:PORT (default: operator.address of the collector config,
      127.0.0.1:7444), --ca FILE (default: its tls.ca_file) or --insecure (plaintext), the API
      token from --token-file FILE, else $VIGIL_API_TOKEN, else the collector's bootstrap admin
      token (operator.bootstrap_token_file); --config FILE: the collector config (default
      /etc/vigil/collector.yaml when it exists). Changes are recorded with the token's operator.
      COMMAND OPTIONS (commands to an agent): --wait-ms N (wait for the result, default 60000, at
      most 120000; 0: do not wait), --ttl D (the command expires after D, default 10m, at most
      7d: a command for an agent that is not connected waits until then), --json. HOST is a host
      name as enrolled or an agent id. kill without --entity kills the newest process with that
      pid the collector knows on the host (refused when it knows none: run snapshot first).
      exit codes: 0 done (a command: succeeded), 1 refused / not found / unreachable (a command:
      failed, rejected or expired), 2 usage or configuration error, 3 a command is queued (the
      agent is not connected) or sent and still running""";

  private static final Set<String> GLOBAL_VALUE_OPTIONS =
      Set.of("--config", "--collector", "--ca", "--token-file");
  private static final Set<String> GLOBAL_FLAGS = Set.of("--help", "--insecure");
  private static final Set<String> FLAGS =
      Set.of("--help", "--insecure", "--json", "--tree", "--csv");

  /** Words that take a sub-command, and the options of each command. */
  private static final Set<String> GROUPS =
      Set.of("alerts", "token", "api-token", "agent", "collected");

  /** Words that may take a sub-command, and mean a command of their own without one. */
  private static final Set<String> OPTIONAL_GROUPS = Set.of("audit");

  private static final Map<String, Set<String>> OPTIONS = options();

  private CtlMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err, WallClock::nowNanos));
  }

  /** Runs {@code vigilctl} with {@code args}; returns the exit code. */
  static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      LongSupplier nowNs) {
    try {
      Set<String> valueOptions = new HashSet<>(GLOBAL_VALUE_OPTIONS);
      OPTIONS.values().forEach(valueOptions::addAll);
      valueOptions.removeAll(FLAGS);
      CtlArgs a = CtlArgs.parse(args, valueOptions, FLAGS, repeatable());
      if (a.has("--help") || (!a.words().isEmpty() && a.words().get(0).equals("help"))) {
        out.println(USAGE);
        return 0;
      }
      List<String> words = a.words();
      if (words.isEmpty()) {
        throw new UsageException("missing command");
      }
      String first = words.get(0);
      int taken =
          GROUPS.contains(first) || OPTIONAL_GROUPS.contains(first) && words.size() > 1 ? 2 : 1;
      if (words.size() < taken) {
        throw new UsageException("missing " + first + " command");
      }
      String command = String.join(" ", words.subList(0, taken));
      Set<String> allowed = OPTIONS.get(command);
      if (allowed == null) {
        throw new UsageException("unknown command " + Shown.text(command));
      }
      for (String o : a.options().keySet()) {
        if (!allowed.contains(o) && !GLOBAL_VALUE_OPTIONS.contains(o)) {
          throw new UsageException(o + " is not an option of " + command);
        }
      }
      for (String f : a.flags()) {
        if (!allowed.contains(f) && !GLOBAL_FLAGS.contains(f)) {
          throw new UsageException(f + " is not an option of " + command);
        }
      }
      List<String> rest = words.subList(taken, words.size());
      ApiSettings settings = ApiSettings.resolve(a, env);
      if (settings.ca() == null) {
        err.println(
            "vigilctl: --insecure: the API token and everything shown cross the network in"
                + " plaintext");
      }
      try (CtlApi api = new CtlApi(settings)) {
        return switch (first) {
          case "alerts" -> new AlertsCommand(api, out, err, nowNs).run(words.get(1), rest, a);
          case "token", "api-token" -> new TokenCommands(api, out, nowNs).run(command, rest, a);
          case "agents", "agent" -> new AgentCommands(api, out).run(command, rest, a);
          case "collected" -> new CollectedCommands(api, out).run(command, rest, a);
          case "hosts", "host", "commands" ->
              new HostCommands(api, out, nowNs).run(command, rest, a);
          case "tree" -> new TreeCommand(api, out).run(rest, a);
          case "hunt" -> new HuntCommand(api, out, err, nowNs).run(rest, a);
          case "ping",
              "isolate",
              "release",
              "kill",
              "quarantine",
              "restore",
              "block",
              "unblock",
              "collect",
              "snapshot" ->
              new ContainmentCommands(api, out, nowNs).run(command, rest, a);
          default -> new OperatorCommands(api, out).run(command, rest, a);
        };
      }
    } catch (UsageException e) {
      err.println("vigilctl: " + e.getMessage() + "\n" + USAGE);
      return EXIT_USAGE;
    } catch (ConfigException e) {
      err.println(
          "vigilctl: invalid collector configuration:\n"
              + Shown.longText(e.getMessage())
              + "\n(vigilctl reads the collector's config, --config FILE, default "
              + ApiSettings.DEFAULT_CONFIG
              + ", for the operator API's address, CA and bootstrap token; or give --collector,"
              + " --ca and --token-file)");
      return EXIT_USAGE;
    } catch (UncheckedIOException e) {
      err.println("vigilctl: " + Shown.longText(e.getMessage() + ": " + e.getCause().getMessage()));
      return EXIT_USAGE;
    } catch (OperatorApiException e) {
      String d = Shown.longText(e.getMessage());
      switch (e.kind()) {
        case UNAUTHENTICATED -> err.println("vigilctl: the collector refused the API token: " + d);
        case INVALID_ARGUMENT -> {
          err.println("vigilctl: " + d + "\n" + USAGE);
          return EXIT_USAGE;
        }
        default -> err.println("vigilctl: " + d);
      }
      return AlertsCommand.FAILED;
    } catch (IllegalStateException e) {
      err.println("vigilctl: " + Shown.longText(e.getMessage()));
      return AlertsCommand.FAILED;
    }
  }

  private static Map<String, Set<String>> options() {
    Map<String, Set<String>> all = new LinkedHashMap<>();
    AlertsCommand.OPTIONS.forEach((sub, o) -> all.put("alerts " + sub, o));
    all.putAll(TokenCommands.OPTIONS);
    all.putAll(AgentCommands.OPTIONS);
    all.putAll(ContainmentCommands.OPTIONS);
    all.putAll(HostCommands.OPTIONS);
    all.putAll(OperatorCommands.OPTIONS);
    all.putAll(CollectedCommands.OPTIONS);
    all.putAll(TreeCommand.OPTIONS);
    all.putAll(HuntCommand.OPTIONS);
    return new HashMap<>(all);
  }

  private static Set<String> repeatable() {
    Set<String> r = new HashSet<>(ContainmentCommands.REPEATABLE);
    r.addAll(HuntCommand.REPEATABLE);
    return r;
  }
}
