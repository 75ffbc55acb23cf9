package io.vigil.collector.trust;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Key pairs and PKCS#10 requests as an agent (or an attacker) makes them, for tests. */
public final class Csrs {
  private Csrs() {}

  public static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  public static KeyPair p256() throws Exception {
    return ec("secp256r1");
  }

  public static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  /** A DER CSR for {@code kp}, with a subject the collector must ignore. */
  public static byte[] csr(KeyPair kp) throws Exception {
    String alg = kp.getPublic().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaPKCS10CertificationRequestBuilder(
            new X500Name("CN=i-am-someone-else,O=Evil"), kp.getPublic())
        .build(new JcaContentSignerBuilder(alg).build(kp.getPrivate()))
        .getEncoded();
  }
}
