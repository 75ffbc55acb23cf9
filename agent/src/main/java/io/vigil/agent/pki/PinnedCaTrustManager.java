package io.vigil.agent.pki;

import io.vigil.common.pki.Fingerprint;
import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a collector on first contact only when the chain it presents contains a certificate with
 * the operator's SHA-256 fingerprint and its leaf validates (PKIX, with the host name checked when
 * the TLS client asks for it, as gRPC does) against that certificate as the only trust anchor.
 *
 * <p>The check runs inside the TLS handshake, so a refused collector never receives a byte of the
 * request: the enrolment token is only sent on an accepted connection. Why a chain was refused is
 * kept for the caller ({@link #refusal}), because the TLS stack reports only a generic failure.
 *
 * <p>Thread-safe; meant for one enrolment connection.
 */
public final class PinnedCaTrustManager extends X509ExtendedTrustManager {
  private final String expected;
  private final String collector;
  private volatile String refusal;
  private volatile X509Certificate pinned;

  /**
   * @param fingerprint the CA fingerprint in any form {@link Fingerprint#normalise} accepts
   * @param collector how to name the collector in messages, e.g. {@code 10.0.0.5:7443}
   * @throws IllegalArgumentException when the fingerprint is malformed
   */
  public PinnedCaTrustManager(String fingerprint, String collector) {
    this.expected = Fingerprint.normalise(fingerprint);
    this.collector = collector;
  }

  /** Why the last chain was refused, if it was. */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  /** The CA certificate the chain was accepted with, once one was. */
  public Optional<X509Certificate> pinnedCa() {
    return Optional.ofNullable(pinned);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    X509ExtendedTrustManager delegate = anchoredAt(chain);
    try {
      delegate.checkServerTrusted(chain, authType, engine);
    } catch (CertificateException e) {
      throw refuse(invalid(e), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    X509ExtendedTrustManager delegate = anchoredAt(chain);
    try {
      delegate.checkServerTrusted(chain, authType, socket);
    } catch (CertificateException e) {
      throw refuse(invalid(e), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    X509ExtendedTrustManager delegate = anchoredAt(chain);
    try {
      delegate.checkServerTrusted(chain, authType);
    } catch (CertificateException e) {
      throw refuse(invalid(e), e);
    }
  }

  private String invalid(CertificateException e) {
    return "the collector at "
        + collector
        + " presented a certificate that does not validate against the pinned CA: "
        // The reason may quote names from the collector's certificate.
        + TerminalText.escape(String.valueOf(e.getMessage()), 300)
        + ". Refusing to send the token.";
  }

  /** A JDK trust manager whose only anchor is the chain's certificate with the fingerprint. */
  private X509ExtendedTrustManager anchoredAt(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw refuse("the collector at " + collector + " presented no certificate", null);
    }
    X509Certificate anchor = null;
    for (X509Certificate c : chain) {
      if (Fingerprint.same(Fingerprint.sha256(c), expected)) {
        anchor = c;
        break;
      }
    }
    if (anchor == null) {
      throw refuse(
          "the collector at "
              + collector
              + " presented CA fingerprint "
              + Fingerprint.sha256(chain[chain.length - 1])
              + "; expected "
              + expected
              + ". Refusing to send the token.",
          null);
    }
    try {
      X509ExtendedTrustManager tm = trusting(anchor);
      pinned = anchor;
      return tm;
    } catch (GeneralSecurityException | IOException e) {
      throw refuse("cannot build a trust store from the pinned CA: " + e, e);
    }
  }

  /** A PKIX trust manager with {@code anchor} as its only trust anchor. */
  public static X509ExtendedTrustManager trusting(X509Certificate anchor)
      throws GeneralSecurityException, IOException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("pinned-ca", anchor);
    TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
    f.init(ks);
    for (TrustManager tm : f.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509ExtendedTrustManager from PKIX");
  }

  private CertificateException refuse(String why, Exception cause) {
    refusal = why;
    return new CertificateException(why, cause);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("this trust manager checks servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("this trust manager checks servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("this trust manager checks servers only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
