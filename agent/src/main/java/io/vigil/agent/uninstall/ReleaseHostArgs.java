package io.vigil.agent.uninstall;

import io.vigil.common.config.ConfigArgs;
import io.vigil.common.config.ConfigException;

/**
 * The parsed command line of {@code vigil-agent release-host}: only {@code --config FILE} and
 * {@code --set key=value}. Immutable.
 *
 * @param config the {@code --config}/{@code --set} part
 */
public record ReleaseHostArgs(ConfigArgs config) {

  /** Thrown for arguments that do not fit; the message names the argument. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** Parses the arguments after {@code release-host}. */
  public static ReleaseHostArgs parse(String[] args) throws UsageException {
    ConfigArgs config;
    try {
      config = ConfigArgs.parse(args);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
    if (!config.remaining().isEmpty()) {
      throw new UsageException(
          "unknown argument"
              + (config.remaining().size() > 1 ? "s" : "")
              + " \""
              + String.join("\", \"", config.remaining())
              + "\"");
    }
    return new ReleaseHostArgs(config);
  }
}
