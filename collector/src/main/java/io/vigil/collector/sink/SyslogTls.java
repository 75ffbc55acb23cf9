package io.vigil.collector.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for syslog (RFC 5425): trust is the JDK's default trust store plus, when configured, the
 * certificates of a CA file (PEM, one or more), the receiver's certificate must name the configured
 * host (HTTPS rules: a DNS name or IP address in subjectAltName), and only TLS 1.3 and 1.2 are
 * offered. No client certificate. Stateless.
 */
final class SyslogTls {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private SyslogTls() {}

  /**
   * A socket factory trusting the JDK's default CAs and, beside them, the certificates of {@code
   * caFile} when it is set: the same meaning {@code ca_file} has for a webhook ({@link
   * ExtraCaTrust}).
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  static SSLSocketFactory factory(Path caFile) throws IOException {
    if (caFile != null) {
      try {
        return ExtraCaTrust.sslContext(caFile).getSocketFactory();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS trust: " + e.getMessage(), e);
    }
  }

  /** Hostname verification on, TLS 1.2 or later. */
  static void configure(SSLSocket s) {
    SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    List<String> supported = Arrays.asList(s.getSupportedProtocols());
    p.setProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
    s.setSSLParameters(p);
  }
}
