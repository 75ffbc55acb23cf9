package io.vigil.agent;

import io.vigil.agent.config.AgentConfig;
import io.vigil.common.cli.CommandLine;
import io.vigil.common.cli.Logging;
import io.vigil.common.config.ConfigException;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code vigil-agent run [--config FILE] [--set key=value]... [--insecure]}.
 *
 * <p>Exit codes: 143 after an orderly stop on SIGTERM (the JVM reports the signal), 1 when start-up
 * failed, 2 for a usage or configuration error (in which case nothing was started).
 */
public final class AgentMain {
  private static final String USAGE =
      "usage: vigil-agent run [--config FILE] [--set key.path=value]... [--insecure]";

  private AgentMain() {}

  public static void main(String[] args) throws InterruptedException {
    // Before any Chronicle class loads: never let it phone home.
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
    Logging.configure();
    CommandLine cli;
    AgentConfig config;
    try {
      cli = CommandLine.parse(args, Set.of("run"), Set.of("--insecure"));
      config = AgentConfig.load(cli.config().file(), System.getenv(), cli.config().sets());
    } catch (CommandLine.UsageException e) {
      System.err.println("vigil-agent: " + e.getMessage() + "\n" + USAGE);
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    } catch (ConfigException e) {
      System.err.println("vigil-agent: invalid configuration:\n" + e.getMessage());
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    }
    Agent agent;
    try {
      agent = Agent.start(config, cli.has("--insecure"));
    } catch (Exception e) {
      System.err.println("vigil-agent: cannot start: " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "vigil-shutdown"));
    stopped.await();
  }
}
