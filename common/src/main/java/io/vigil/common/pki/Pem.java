package io.vigil.common.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM text of certificates and EC private keys. Keys are PKCS#8 ({@code BEGIN PRIVATE KEY}), the
 * only form gRPC's TLS accepts. Stateless.
 */
public final class Pem {
  /** Larger PEM text is refused before parsing: a chain of a few certificates is a few KiB. */
  public static final int MAX_CHARS = 64 * 1024;

  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]{1,40})-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

  private Pem() {}

  /** PEM text of a certificate. */
  public static String of(X509Certificate certificate) {
    try {
      return block("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot encode certificate", e);
    }
  }

  /** PEM text of a private key in PKCS#8 (the JDK encodes EC and RSA keys so). */
  public static String of(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) {
      throw new IllegalArgumentException("private key is not PKCS#8 but " + key.getFormat());
    }
    return block("PRIVATE KEY", key.getEncoded());
  }

  /**
   * The certificates of PEM text, in order.
   *
   * @throws IOException when the text is too long, holds no certificate, or one does not parse
   */
  public static List<X509Certificate> certificates(String pem) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    for (byte[] der : blocks(pem, "CERTIFICATE")) {
      try {
        out.add(
            (X509Certificate)
                CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)));
      } catch (GeneralSecurityException e) {
        throw new IOException("a CERTIFICATE block does not parse: " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no CERTIFICATE block");
    }
    return out;
  }

  /**
   * The EC private key of PKCS#8 PEM text.
   *
   * @throws IOException when there is no PRIVATE KEY block or it is not an EC key
   */
  public static PrivateKey ecPrivateKey(String pem) throws IOException {
    List<byte[]> keys = blocks(pem, "PRIVATE KEY");
    if (keys.size() != 1) {
      throw new IOException("expected one PRIVATE KEY block (PKCS#8), found " + keys.size());
    }
    try {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
    } catch (GeneralSecurityException e) {
      throw new IOException("not a PKCS#8 EC private key: " + e.getMessage(), e);
    }
  }

  private static List<byte[]> blocks(String pem, String type) throws IOException {
    if (pem.length() > MAX_CHARS) {
      throw new IOException("PEM text longer than " + MAX_CHARS + " characters");
    }
    List<byte[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        try {
          out.add(Base64.getMimeDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
          throw new IOException("a " + type + " block is not base64", e);
        }
      }
    }
    return out;
  }

  private static String block(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
