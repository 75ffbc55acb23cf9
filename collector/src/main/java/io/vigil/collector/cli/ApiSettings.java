package io.vigil.collector.cli;

import io.vigil.collector.config.CollectorConfig;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.HostPort;
import io.vigil.common.config.PathArgument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code vigilctl} connects and with which token. Each comes from an option, else from the
 * collector's config ({@code --config}, default {@code /etc/vigil/collector.yaml} when it exists,
 * else the collector's defaults): {@code --collector} else {@code operator.address}; {@code --ca}
 * else {@code tls.ca_file}; the token from {@code --token-file}, else {@code VIGIL_API_TOKEN}, else
 * the bootstrap file {@code operator.bootstrap_token_file}. Immutable.
 *
 * @param collector HOST:PORT of the operator API
 * @param ca the CA file to trust; null for plaintext ({@code --insecure})
 * @param token the API token
 * @param tokenSource where the token came from, for messages (never the token)
 */
record ApiSettings(HostPort collector, Path ca, String token, String tokenSource) {
  /** The collector config read when {@code --config} is not given and this file exists. */
  static final Path DEFAULT_CONFIG = Path.of("/etc/vigil/collector.yaml");

  static final String TOKEN_ENV = "VIGIL_API_TOKEN";

  /**
   * @throws UsageException for a bad option value or no token anywhere
   * @throws ConfigException when the collector config is needed and invalid
   */
  static ApiSettings resolve(CtlArgs a, Map<String, String> env)
      throws UsageException, ConfigException {
    String collector = a.option("--collector");
    String ca = a.option("--ca");
    String tokenFile = a.option("--token-file");
    String envToken = env.get(TOKEN_ENV);
    boolean insecure = a.has("--insecure");
    if (insecure && ca != null) {
      throw new UsageException("give --ca or --insecure, not both");
    }
    boolean needConfig =
        collector == null
            || (ca == null && !insecure)
            || (tokenFile == null && (envToken == null || envToken.isBlank()));
    CollectorConfig config = needConfig ? config(a, env) : null;

    HostPort address;
    try {
      address = collector != null ? HostPort.parse(collector) : config.operator().address();
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "--collector: expected HOST:PORT, got \"" + Shown.text(collector) + "\"");
    }
    if (address.port() == 0) {
      throw new UsageException(
          "--collector: port 0 (the collector's operator.address picks a free port; give"
              + " --collector HOST:PORT)");
    }
    Path caFile = insecure ? null : ca != null ? path("--ca", ca) : config.tls().caFile();

    if (tokenFile != null) {
      return new ApiSettings(
          address, caFile, readToken("--token-file", path("--token-file", tokenFile)), tokenFile);
    }
    if (envToken != null && !envToken.isBlank()) {
      return new ApiSettings(address, caFile, envToken.trim(), TOKEN_ENV);
    }
    Path bootstrap = config.operator().bootstrapTokenFile();
    if (!Files.isReadable(bootstrap)) {
      throw new UsageException(
          "no API token: give --token-file FILE or set "
              + TOKEN_ENV
              + ", or run as a user who can read "
              + bootstrap
              + " (the admin token the collector writes at its first start)");
    }
    return new ApiSettings(
        address,
        caFile,
        readToken("operator.bootstrap_token_file", bootstrap),
        bootstrap.toString());
  }

  private static CollectorConfig config(CtlArgs a, Map<String, String> env)
      throws ConfigException, UsageException {
    String given = a.option("--config");
    if (given != null) {
      return CollectorConfig.load(Optional.of(path("--config", given)), env, List.of());
    }
    Optional<Path> file =
        Files.exists(DEFAULT_CONFIG) ? Optional.of(DEFAULT_CONFIG) : Optional.empty();
    return CollectorConfig.load(file, env, List.of());
  }

  private static Path path(String option, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(option + ": empty path");
    }
    try {
      return PathArgument.parse(option, value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The first line of the file, trimmed; the file must hold a token. */
  private static String readToken(String what, Path file) throws UsageException {
    String text;
    try {
      if (Files.size(file) > 4096) {
        throw new UsageException(what + ": " + file + " is too large for an API token");
      }
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UsageException(what + ": cannot read " + file + ": " + e.getMessage());
    }
    if (text.isEmpty()) {
      throw new UsageException(what + ": " + file + " is empty");
    }
    return text.lines().findFirst().orElse("").strip();
  }
}
