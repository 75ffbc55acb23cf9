package io.vigil.agent;

import io.vigil.agent.config.AgentConfig;
import io.vigil.agent.enroll.EnrollCommand;
import io.vigil.agent.offline.PcapCommand;
import io.vigil.agent.uninstall.ReleaseHostCommand;
import io.vigil.common.cli.Logging;
import io.vigil.common.cli.ServiceMain;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code vigil-agent run [--config FILE] [--set key=value]... [--insecure]}, {@code vigil-agent
 * enroll --collector HOST:PORT --token-file FILE --ca-fingerprint SHA256 [--force] [--config FILE]
 * [--set key=value]...} (see {@link EnrollCommand}), {@code vigil-agent pcap FILE... --out
 * FILE.jsonl} (offline mode, see {@link PcapCommand}) and {@code vigil-agent release-host [--config
 * FILE] [--set key=value]...} (what the package runs on removal, see {@link ReleaseHostCommand}).
 *
 * <p>Exit codes: 143 after an orderly stop on SIGTERM (the JVM reports the signal), 1 when start-up
 * failed, 2 for a usage or configuration error (in which case nothing was started).
 */
public final class AgentMain {
  private static final String USAGE =
      "usage: vigil-agent run [--config FILE] [--set key.path=value]... [--insecure]\n"
          + "       vigil-agent enroll --collector HOST:PORT --token-file FILE --ca-fingerprint"
          + " SHA256 [--force] [--config FILE] [--set key.path=value]...\n"
          + "       vigil-agent release-host [--config FILE] [--set key.path=value]...\n"
          + "       vigil-agent pcap FILE... --out FILE.jsonl";

  private AgentMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("pcap")) {
      PcapCommand.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && args[0].equals("release-host")) {
      Logging.configure();
      System.exit(
          new ReleaseHostCommand(System.out, System.err, System.getenv())
              .run(Arrays.copyOfRange(args, 1, args.length)));
      return;
    }
    if (args.length > 0 && args[0].equals("enroll")) {
      Logging.configure();
      int code =
          new EnrollCommand(System.in, System.out, System.err, System.getenv(), Version.get())
              .run(Arrays.copyOfRange(args, 1, args.length));
      System.exit(code);
      return;
    }
    // Before any Chronicle class loads: never let it phone home.
    System.setProperty("chronicle.analytics.disable", "true");
    System.setProperty("chronicle.announcer.disable", "true");
    ServiceMain.main(
        "vigil-agent",
        USAGE,
        args,
        Set.of("run"),
        Set.of("--insecure"),
        cli -> AgentConfig.load(cli.config().file(), System.getenv(), cli.config().sets()),
        (cli, config) ->
            ServiceMain.runUntilStopped(
                Agent.start(config, cli.config().file(), cli.has("--insecure"))));
  }
}
