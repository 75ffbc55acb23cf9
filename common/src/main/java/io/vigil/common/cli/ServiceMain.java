package io.vigil.common.cli;

import io.vigil.common.config.ConfigException;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code main} of the agent and the collector: parse the command line, load the config (exit
 * code 2 and nothing started on any error), run the chosen command. A service started by a command
 * runs until the JVM is asked to stop (SIGTERM, Ctrl-C) and is closed from the shutdown hook.
 */
public final class ServiceMain {
  private ServiceMain() {}

  /** Loads the configuration named on the command line. */
  @FunctionalInterface
  public interface Loader<C> {
    C load(CommandLine cli) throws ConfigException;
  }

  /** Runs a command; a thrown exception means start-up failed (exit code 1). */
  @FunctionalInterface
  public interface Command<C> {
    void run(CommandLine cli, C config) throws Exception;
  }

  /**
   * @param program name used in messages, e.g. {@code vigil-agent}
   * @param usage the usage line printed on a usage error
   */
  public static <C> void main(
      String program,
      String usage,
      String[] args,
      Set<String> commands,
      Set<String> flags,
      Loader<C> loader,
      Command<C> command) {
    Logging.configure();
    CommandLine cli;
    C config;
    try {
      cli = CommandLine.parse(args, commands, flags);
      config = loader.load(cli);
    } catch (CommandLine.UsageException e) {
      System.err.println(program + ": " + e.getMessage() + "\n" + usage);
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    } catch (ConfigException e) {
      System.err.println(program + ": invalid configuration:\n" + e.getMessage());
      System.exit(CommandLine.EXIT_CONFIG);
      return;
    }
    try {
      command.run(cli, config);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      System.err.println(program + ": cannot start: " + e);
      System.exit(1);
    }
  }

  /** Blocks until the JVM shuts down, then closes {@code service} from the shutdown hook. */
  public static void runUntilStopped(AutoCloseable service) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    service.close();
                  } catch (Exception e) {
                    System.err.println("while stopping: " + e);
                  } finally {
                    stopped.countDown();
                  }
                },
                "vigil-shutdown"));
    stopped.await();
  }
}
