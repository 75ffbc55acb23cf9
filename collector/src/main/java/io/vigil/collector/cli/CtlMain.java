package io.vigil.collector.cli;

import io.vigil.collector.config.CollectorConfig;
import io.vigil.collector.store.StoreException;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.ConfigException;
import io.vigil.common.time.WallClock;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code vigilctl}: the analyst's command line on a collector host. For now {@code alerts}: list,
 * show and triage (see {@code docs/triage.md}). It works on the collector's database file, found
 * through the collector's config ({@code store.path}) or given with {@code --db}, while the
 * collector runs.
 *
 * <p>Exit codes: 0 done; 1 no such alert, a refused change, or the database cannot be used; 2 a
 * usage or configuration error (nothing was changed).
 */
public final class CtlMain {
  /** The collector config read when neither {@code --config} nor {@code --db} is given. */
  static final Path DEFAULT_CONFIG = Path.of("/etc/vigil/collector.yaml");

  static final int EXIT_USAGE = 2;

  static final String USAGE =
      """
      usage: vigilctl [--config FILE | --db PATH] alerts COMMAND [ARGS] [OPTIONS]
        alerts list [--state new,acknowledged,closed|open|all] [--level LEVEL] [--host HOST]
                    [--rule RULE] [--source sigma|correlation|intel|fim] [--since T]
                    [--until T] [--limit N] [--json]
        alerts show ID [--json]
        alerts ack ID [--note TEXT]
        alerts close ID --reason TEXT [--note TEXT]
        alerts reopen ID [--note TEXT]
        alerts assign ID USER
        alerts unassign ID
        alerts note ID TEXT...
      list shows open alerts (new, acknowledged), newest 50, unless told otherwise; --level is the
      lowest level shown; --host is a host name or agent id; --rule a rule id or part of a title.
      T: an age (30s, 15m, 1h, 2d, 1w), an instant (2026-11-28T07:00:00Z) or a date (2026-11-28).
      --config: the collector's config file (default /etc/vigil/collector.yaml), whose store.path
      is the database; --db: the database file itself. Changes are recorded with your OS user.
      exit codes: 0 done, 1 no such alert / change refused / database unusable, 2 usage error""";

  private static final Set<String> GLOBAL_VALUE_OPTIONS = Set.of("--config", "--db");

  private CtlMain() {}

  public static void main(String[] args) {
    int code =
        run(args, System.getenv(), System.out, System.err, Actor::current, WallClock::nowNanos);
    System.exit(code);
  }

  /** Runs {@code vigilctl} with {@code args}; returns the exit code. */
  static int run(
      String[] args,
      Map<String, String> env,
      PrintStream out,
      PrintStream err,
      Supplier<String> actor,
      LongSupplier nowNs) {
    try {
      Set<String> valueOptions = new HashSet<>(GLOBAL_VALUE_OPTIONS);
      Set<String> flags = new HashSet<>(Set.of("--help", "--json"));
      for (String o : AlertsCommand.allOptions()) {
        if (!flags.contains(o)) {
          valueOptions.add(o);
        }
      }
      CtlArgs a = CtlArgs.parse(args, valueOptions, flags);
      if (a.has("--help") || (!a.words().isEmpty() && a.words().get(0).equals("help"))) {
        out.println(USAGE);
        return 0;
      }
      List<String> words = a.words();
      if (words.isEmpty()) {
        throw new UsageException("missing command");
      }
      if (!words.get(0).equals("alerts")) {
        throw new UsageException("unknown command " + Shown.text(words.get(0)));
      }
      if (words.size() < 2) {
        throw new UsageException("missing alerts command (list, show, ack, close, ...)");
      }
      String sub = words.get(1);
      Set<String> allowed = AlertsCommand.OPTIONS.get(sub);
      if (allowed == null) {
        throw new UsageException("unknown command alerts " + Shown.text(sub));
      }
      for (String o : a.options().keySet()) {
        if (!allowed.contains(o) && !GLOBAL_VALUE_OPTIONS.contains(o)) {
          throw new UsageException(o + " is not an option of alerts " + sub);
        }
      }
      for (String f : a.flags()) {
        if (!allowed.contains(f)) {
          throw new UsageException(f + " is not an option of alerts " + sub);
        }
      }
      Path db = database(a, env);
      return new AlertsCommand(db, out, err, actor, nowNs)
          .run(sub, words.subList(2, words.size()), a);
    } catch (UsageException e) {
      err.println("vigilctl: " + e.getMessage() + "\n" + USAGE);
      return EXIT_USAGE;
    } catch (ConfigException e) {
      err.println(
          "vigilctl: invalid collector configuration:\n"
              + e.getMessage()
              + "\n(vigilctl finds the database through the collector's config, --config FILE,"
              + " default "
              + DEFAULT_CONFIG
              + "; or give the file with --db PATH)");
      return EXIT_USAGE;
    } catch (StoreException | IllegalStateException e) {
      err.println("vigilctl: " + Shown.longText(e.getMessage()));
      return AlertsCommand.FAILED;
    }
  }

  /** {@code --db}, else the {@code store.path} of the collector config. */
  private static Path database(CtlArgs a, Map<String, String> env)
      throws UsageException, ConfigException {
    String db = a.option("--db");
    String config = a.option("--config");
    if (db != null && config != null) {
      throw new UsageException("give --config or --db, not both");
    }
    if (db != null) {
      if (db.isBlank()) {
        throw new UsageException("--db: empty path");
      }
      return Path.of(db);
    }
    Path file = config == null ? DEFAULT_CONFIG : Path.of(config);
    return CollectorConfig.load(Optional.of(file), env, List.of()).store().path();
  }
}
