package io.vigil.collector;

import io.vigil.collector.cli.EventTail;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.common.cli.CommandLine;
import io.vigil.common.cli.Logging;
import io.vigil.common.config.ConfigException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code vigil-collector run|tail [--config FILE] [--set key=value]... [--insecure]}.
 *
 * <p>{@code run} starts the collector; {@code tail} prints events as the collector stores them.
 * Exit codes: 143 after an orderly stop on SIGTERM (the JVM reports the signal), 1 when start-up
 * failed, 2 for a usage or configuration error (nothing was started).
 */
public final class CollectorMain {
  private static final String USAGE =
      "usage: vigil-collector run|tail [--config FILE] [--set key.path=value]... [--insecure]";

  private CollectorMain() {}

  public static void main(String[] args) throws InterruptedException {
    Logging.configure();
    CommandLine cli;
    CollectorConfig config;
    try {
      cli = CommandLine.parse(args, Set.of("run", "tail"), Set.of("--insecure"));
      config = CollectorConfig.load(cli.config().file(), System.getenv(), cli.config().sets());
    } catch (CommandLine.UsageException e) {
      System.err.println("vigil-collector: " + e.getMessage() + "\n" + USAGE);
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    } catch (ConfigException e) {
      System.err.println("vigil-collector: invalid configuration:\n" + e.getMessage());
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    }
    if (cli.command().equals("tail")) {
      new EventTail(config.store().path(), System.out).follow(20, Duration.ofMillis(500));
      return;
    }
    Collector collector;
    try {
      collector = Collector.start(config, cli.has("--insecure"));
    } catch (Exception e) {
      System.err.println("vigil-collector: cannot start: " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  collector.close();
                  stopped.countDown();
                },
                "vigil-shutdown"));
    stopped.await();
  }
}
