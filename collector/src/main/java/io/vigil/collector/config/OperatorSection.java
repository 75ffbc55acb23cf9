package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import java.nio.file.Path;

/**
 * The operator API (the {@code operator} section): what {@code vigilctl} talks to. Immutable.
 *
 * @param address {@code operator.address}: where the operator API listens (TLS with the collector's
 *     server certificate); default {@code 127.0.0.1:7444}, loopback only, because operators usually
 *     run {@code vigilctl} on the collector host; port 0 picks a free port
 * @param bootstrapTokenFile {@code operator.bootstrap_token_file}: where the collector writes the
 *     admin token it creates at its first start (while no API token exists), mode 0600 in a 0700
 *     directory; default {@code <collector.state_dir>/operator/admin.token}
 * @param hunt {@code operator.hunt.*}: limits of hunting ({@link HuntSection})
 */
public record OperatorSection(HostPort address, Path bootstrapTokenFile, HuntSection hunt) {

  /** With the default hunting limits. */
  public OperatorSection(HostPort address, Path bootstrapTokenFile) {
    this(address, bootstrapTokenFile, HuntSection.DEFAULTS);
  }

  /** Default of {@code operator.address}. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7444";

  static OperatorSection bind(ConfigNode node, Path stateDir) {
    HostPort address = node.listenAddress("address", DEFAULT_ADDRESS);
    Path token =
        node.optionalPath("bootstrap_token_file")
            .orElse(stateDir.resolve("operator").resolve("admin.token"));
    return new OperatorSection(address, token, HuntSection.bind(node.child("hunt")));
  }
}
