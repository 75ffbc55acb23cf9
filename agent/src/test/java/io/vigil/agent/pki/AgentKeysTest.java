package io.vigil.agent.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.util.UUID;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class AgentKeysTest {
  @Test
  void keysAreFreshEcP256() {
    KeyPair a = AgentKeys.generate();
    KeyPair b = AgentKeys.generate();
    ECPublicKey pub = (ECPublicKey) a.getPublic();
    assertEquals(256, pub.getParams().getCurve().getField().getFieldSize());
    assertEquals("PKCS#8", a.getPrivate().getFormat());
    assertNotEquals(a.getPublic(), b.getPublic());
  }

  @Test
  void theRequestIsSignedByTheKeyAndNamesTheAgent() throws Exception {
    KeyPair k = AgentKeys.generate();
    UUID id = UUID.randomUUID();
    JcaPKCS10CertificationRequest req =
        new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(AgentKeys.csr(k, id)));
    assertTrue(
        req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(req.getPublicKey())));
    assertEquals(k.getPublic(), req.getPublicKey());
    assertEquals(
        "CN=" + id + ",OU=agent,O=Vigil",
        new javax.security.auth.x500.X500Principal(req.getSubject().getEncoded()).getName());
    assertEquals(
        "1.2.840.10045.4.3.2", // ecdsa-with-SHA256
        req.getSignatureAlgorithm().getAlgorithm().getId());
  }
}
