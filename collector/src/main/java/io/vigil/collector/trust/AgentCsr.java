package io.vigil.collector.trust;

import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Checks an agent's PKCS#10 certificate signing request and takes its public key. Only the key is
 * used: the subject and any requested extensions are ignored, because the collector names the
 * certificate. Stateless.
 */
public final class AgentCsr {
  /** Largest CSR accepted, in bytes (a P-256 request is about 300). */
  public static final int MAX_BYTES = 4096;

  private AgentCsr() {}

  /**
   * The public key of a DER CSR whose signature verifies and whose key is EC P-256.
   *
   * @throws BadCsrException naming what is wrong
   */
  public static PublicKey publicKey(byte[] der) throws BadCsrException {
    if (der.length == 0) {
      throw new BadCsrException("the certificate signing request is empty");
    }
    if (der.length > MAX_BYTES) {
      throw new BadCsrException(
          "the certificate signing request is " + der.length + " bytes, over " + MAX_BYTES);
    }
    JcaPKCS10CertificationRequest csr;
    try {
      csr = new JcaPKCS10CertificationRequest(der);
    } catch (IOException | RuntimeException e) {
      throw new BadCsrException("the certificate signing request is not PKCS#10 DER");
    }
    AlgorithmIdentifier alg = csr.getSubjectPublicKeyInfo().getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
      throw new BadCsrException(
          "the key must be EC P-256, not " + algorithmName(alg.getAlgorithm()));
    }
    if (!X9ObjectIdentifiers.prime256v1.equals(alg.getParameters())) {
      throw new BadCsrException(
          "the key must be EC P-256 (prime256v1), not the curve "
              // The parameters are the requester's ASN.1: they may hold any text.
              + TerminalText.escape(String.valueOf(alg.getParameters()), 100));
    }
    PublicKey key;
    try {
      // By the JDK's name for the algorithm: BouncyCastle would look the key factory up by OID,
      // which the JDK's providers do not register.
      key =
          KeyFactory.getInstance("EC")
              .generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new BadCsrException("the key of the certificate signing request does not parse");
    }
    boolean valid;
    try {
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw new BadCsrException("the signature of the certificate signing request is invalid");
    }
    return key;
  }

  private static String algorithmName(ASN1ObjectIdentifier oid) {
    if (oid.getId().equals("1.2.840.113549.1.1.1")) {
      return "RSA";
    }
    return "algorithm " + oid.getId();
  }

  /** A CSR that is refused; the message says why and can be shown to the agent. */
  public static final class BadCsrException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadCsrException(String message) {
      super(message);
    }
  }
}
