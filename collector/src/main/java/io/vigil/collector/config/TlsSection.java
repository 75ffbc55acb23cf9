package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import java.nio.file.Path;
import java.util.List;

/**
 * The collector's TLS material (the {@code tls} section); paths not set are resolved under {@code
 * <collector.state_dir>/pki}, where the collector generates its CA and server certificate on first
 * start when they are absent. Immutable.
 *
 * @param certFile {@code tls.cert_file}: server certificate (PEM); default {@code pki/server.pem}
 * @param keyFile {@code tls.key_file}: its private key (PEM); default {@code pki/server.key}
 * @param caFile {@code tls.ca_file}: the CA certificate (PEM); default {@code pki/ca.pem}
 * @param hostnames {@code tls.hostnames}: extra DNS names or IPs for the generated certificate
 */
public record TlsSection(Path certFile, Path keyFile, Path caFile, List<String> hostnames) {

  public TlsSection {
    hostnames = List.copyOf(hostnames);
  }

  static TlsSection bind(ConfigNode node, Path stateDir) {
    Path pki = stateDir.resolve("pki");
    Path cert = node.optionalPath("cert_file").orElse(pki.resolve("server.pem"));
    Path key = node.optionalPath("key_file").orElse(pki.resolve("server.key"));
    Path ca = node.optionalPath("ca_file").orElse(pki.resolve("ca.pem"));
    List<String> hostnames = node.stringList("hostnames", List.of());
    for (String h : hostnames) {
      if (!HostPort.isValidHost(h)) {
        node.error("hostnames", "\"" + h + "\" is not a DNS name or IP address");
      }
    }
    return new TlsSection(cert, key, ca, hostnames);
  }
}
