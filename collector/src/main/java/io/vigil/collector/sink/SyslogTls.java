package io.vigil.collector.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for syslog (RFC 5425): trust is the configured CA file (PEM, one or more certificates) or the
 * JDK's default trust store, the receiver's certificate must name the configured host (HTTPS rules:
 * a DNS name or IP address in subjectAltName), and only TLS 1.3 and 1.2 are offered. No client
 * certificate. Stateless.
 */
final class SyslogTls {
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private SyslogTls() {}

  /**
   * A socket factory trusting the certificates of {@code caFile}, or the JDK's defaults when null.
   *
   * @throws IOException when the file cannot be read or holds no certificate
   */
  static SSLSocketFactory factory(Path caFile) throws IOException {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(caFile == null ? null : trustStore(caFile));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS trust from " + caFile + ": " + e.getMessage(), e);
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

  private static KeyStore trustStore(Path caFile) throws IOException, GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(caFile)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certs.isEmpty()) {
      throw new IOException("no PEM certificate in " + caFile);
    }
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    List<Certificate> list = new ArrayList<>(certs);
    for (int i = 0; i < list.size(); i++) {
      ks.setCertificateEntry("ca-" + i, list.get(i));
    }
    return ks;
  }
}
