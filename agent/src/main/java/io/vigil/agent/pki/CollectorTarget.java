package io.vigil.agent.pki;

import io.vigil.agent.config.CollectorConnection;
import io.vigil.common.config.HostPort;
import java.io.IOException;
import java.util.Optional;

/**
 * Where to connect and which name the collector's certificate must carry, as of now: the configured
 * address, else the enrolled one ({@code pki/collector-address}), else {@link
 * CollectorConnection#FALLBACK_ADDRESS}. Immutable.
 *
 * @param address host and port to connect to
 * @param serverName name verified in the collector's certificate
 */
public record CollectorTarget(HostPort address, String serverName) {
  /**
   * Resolves {@code c}, reading the enrolled address file when the config sets no address. Blocks
   * on file I/O.
   *
   * @throws IOException when the enrolled address file exists but cannot be read or parsed
   */
  public static CollectorTarget resolve(CollectorConnection c) throws IOException {
    HostPort address = c.address().isPresent() ? c.address().get() : enrolledOrFallback(c);
    return new CollectorTarget(address, c.serverName().isEmpty() ? address.host() : c.serverName());
  }

  /**
   * Like {@link #resolve} but never fails: an unreadable address file falls back (for start-up
   * decisions such as leaving the collector's traffic out of packet capture).
   */
  public static HostPort addressOrFallback(CollectorConnection c) {
    try {
      return resolve(c).address();
    } catch (IOException e) {
      return CollectorConnection.FALLBACK_ADDRESS;
    }
  }

  private static HostPort enrolledOrFallback(CollectorConnection c) throws IOException {
    Optional<HostPort> enrolled = EnrolmentFiles.readAddress(c.addressFile());
    return enrolled.orElse(CollectorConnection.FALLBACK_ADDRESS);
  }
}
