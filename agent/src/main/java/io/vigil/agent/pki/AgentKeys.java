package io.vigil.agent.pki;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The agent's keys and certificate requests. A key is made on the host and never leaves it: the
 * collector only ever sees the request. Stateless.
 */
public final class AgentKeys {
  /** The curve the collector's CA accepts. */
  public static final String CURVE = "secp256r1";

  private AgentKeys() {}

  /** A fresh EC P-256 key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(CURVE));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no EC P-256", e);
    }
  }

  /** The subject the contract names agent certificates with; the collector sets it anyway. */
  public static X500Principal subject(UUID agentId) {
    return new X500Principal("CN=" + agentId + ",OU=agent,O=Vigil");
  }

  /**
   * A PKCS#10 request (DER) for {@code key}, signed with SHA256withECDSA.
   *
   * @throws IOException when the request cannot be built or encoded
   */
  public static byte[] csr(KeyPair key, UUID agentId) throws IOException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
      return new JcaPKCS10CertificationRequestBuilder(subject(agentId), key.getPublic())
          .build(signer)
          .getEncoded();
    } catch (OperatorCreationException e) {
      throw new IOException("cannot sign a certificate request: " + e.getMessage(), e);
    }
  }
}
