package io.vigil.collector.stream;

import io.grpc.Attributes;
import io.grpc.Grpc;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The client certificate chain a call's TLS session carries, read in one place. */
final class PeerCertificates {
  private PeerCertificates() {}

  /**
   * The peer's chain, leaf first; null when it sent none, a certificate is not X.509, or there is
   * no TLS.
   *
   * @param attributes the call's transport attributes (null: none)
   */
  static X509Certificate[] chain(Attributes attributes) {
    SSLSession session =
        attributes == null ? null : attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    try {
      Certificate[] certs = session.getPeerCertificates();
      X509Certificate[] out = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        if (!(certs[i] instanceof X509Certificate x)) {
          return null;
        }
        out[i] = x;
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
