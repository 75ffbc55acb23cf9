package io.vigil.common.cli;

import io.vigil.common.config.ConfigArgs;
import io.vigil.common.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed command line: {@code PROGRAM COMMAND [--config FILE] [--set k=v]... [--flag]...}.
 *
 * @param command the sub-command, e.g. {@code run}
 * @param config the {@code --config}/{@code --set} part
 * @param flags boolean flags given, e.g. {@code --insecure}
 */
public record CommandLine(String command, ConfigArgs config, Set<String> flags) {
  /** Exit code for a usage or configuration error: nothing was started. */
  public static final int EXIT_CONFIG = 2;

  /** Thrown for arguments that do not fit the grammar. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  /**
   * Parses {@code args}.
   *
   * @param commands the sub-commands this program has
   * @param knownFlags the boolean flags it accepts
   */
  public static CommandLine parse(String[] args, Set<String> commands, Set<String> knownFlags)
      throws UsageException {
    if (args.length == 0 || !commands.contains(args[0])) {
      throw new UsageException(
          args.length == 0 ? "missing command" : "unknown command \"" + args[0] + "\"");
    }
    String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    ConfigArgs config;
    try {
      config = ConfigArgs.parse(rest);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
    List<String> unknown = new ArrayList<>();
    for (String a : config.remaining()) {
      if (!knownFlags.contains(a)) {
        unknown.add(a);
      }
    }
    if (!unknown.isEmpty()) {
      throw new UsageException("unknown argument(s): " + String.join(" ", unknown));
    }
    return new CommandLine(args[0], config, Set.copyOf(config.remaining()));
  }

  public boolean has(String flag) {
    return flags.contains(flag);
  }
}
