package io.vigil.collector;

import io.vigil.collector.cli.AlertList;
import io.vigil.collector.cli.AuditCheck;
import io.vigil.collector.cli.EventTail;
import io.vigil.collector.cli.LimitOption;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.common.cli.CommandLine;
import io.vigil.common.cli.ServiceMain;
import java.time.Duration;
import java.util.Set;

/**
 * {@code vigil-collector run|tail|alerts [--config FILE] [--set key=value]... [--insecure] [--limit
 * N] [--follow]}.
 *
 * <p>{@code run} starts the collector; {@code tail} prints events as the collector stores them;
 * {@code alerts} prints the newest N alerts (default 50) of the configured store and exits, or with
 * {@code --follow} goes on printing alerts as they are stored. Exit codes: 143 after an orderly
 * stop on SIGTERM (the JVM reports the signal), 1 when start-up failed, 2 for a usage or
 * configuration error (nothing was started).
 *
 * <p>{@code vigil-collector audit-verify|audit-reset-head --database FILE} check the audit log's
 * hash chain on the database file, or record its present end after a restore ({@link AuditCheck}).
 */
public final class CollectorMain {
  private static final String USAGE =
      "usage: vigil-collector run|tail|alerts [--config FILE] [--set key.path=value]..."
          + " [--insecure] [--limit N] [--follow] (--limit and --follow: alerts)\n"
          + "       vigil-collector audit-verify|audit-reset-head --database FILE";

  private CollectorMain() {}

  public static void main(String[] args) {
    if (args.length > 0
        && (args[0].equals(AuditCheck.VERIFY) || args[0].equals(AuditCheck.RESET_HEAD))) {
      System.exit(AuditCheck.run(args, System.out, System.err));
      return;
    }
    LimitOption limit;
    try {
      limit = LimitOption.extract(args, AlertList.DEFAULT_LIMIT);
    } catch (IllegalArgumentException e) {
      System.err.println("vigil-collector: " + e.getMessage() + "\n" + USAGE);
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    }
    if (limit.rest().length != args.length && (args.length == 0 || !args[0].equals("alerts"))) {
      System.err.println("vigil-collector: --limit is an option of alerts only\n" + USAGE);
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    }
    ServiceMain.main(
        "vigil-collector",
        USAGE,
        limit.rest(),
        Set.of("run", "tail", "alerts"),
        Set.of("--insecure", "--follow"),
        cli -> CollectorConfig.load(cli.config().file(), System.getenv(), cli.config().sets()),
        (cli, config) -> {
          switch (cli.command()) {
            case "tail" ->
                new EventTail(config.store().path(), System.out).follow(20, Duration.ofMillis(500));
            case "alerts" -> {
              AlertList alerts = new AlertList(config.store().path(), System.out);
              if (cli.has("--follow")) {
                alerts.follow(limit.limit(), Duration.ofMillis(500));
              } else {
                alerts.print(limit.limit());
              }
            }
            default -> ServiceMain.runUntilStopped(Collector.start(config, cli.has("--insecure")));
          }
        });
  }
}
