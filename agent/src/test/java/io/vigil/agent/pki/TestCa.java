package io.vigil.agent.pki;

import io.vigil.common.pki.Pem;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A certificate authority for tests, made with BouncyCastle the way the collector's is: EC P-256,
 * server certificates with DNS/IP names, client certificates from PKCS#10 requests.
 */
public final class TestCa {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair key;
  private final X509Certificate certificate;

  private TestCa(KeyPair key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
  }

  /** A key with its certificate. */
  public record Issued(PrivateKey key, X509Certificate certificate) {
    public String keyPem() {
      return Pem.of(key);
    }
  }

  public static TestCa create(String name) throws Exception {
    KeyPair k = AgentKeys.generate();
    X500Principal subject = new X500Principal("CN=" + name + ",O=Vigil test");
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            subject,
            serial(),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(Duration.ofDays(30))),
            subject,
            k.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new TestCa(k, sign(b, k.getPrivate()));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String pem() {
    return Pem.of(certificate);
  }

  /** A server certificate naming {@code names} (IP literals as IP SANs). */
  public Issued issueServer(List<String> names) throws Exception {
    KeyPair k = AgentKeys.generate();
    Instant now = Instant.now();
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            certificate,
            serial(),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Principal("CN=vigil-collector"),
            k.getPublic());
    List<GeneralName> sans = new ArrayList<>();
    for (String n : names) {
      boolean ip = n.matches("[0-9.]+") || n.contains(":");
      sans.add(
          ip
              ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
              : new GeneralName(GeneralName.dNSName, n));
    }
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(sans.toArray(GeneralName[]::new)));
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new Issued(k.getPrivate(), sign(b, key.getPrivate()));
  }

  /** A client certificate for the key of {@code csrDer}, named {@code agentId}. */
  public X509Certificate issueClient(
      byte[] csrDer, UUID agentId, Instant notBefore, Instant notAfter) throws Exception {
    PKCS10CertificationRequest req = new PKCS10CertificationRequest(csrDer);
    JcaPKCS10CertificationRequest jreq = new JcaPKCS10CertificationRequest(req);
    X509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            certificate,
            serial(),
            Date.from(notBefore),
            Date.from(notAfter),
            AgentKeys.subject(agentId),
            jreq.getPublicKey());
    b.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return sign(b, key.getPrivate());
  }

  /** A fresh key with a client certificate for it, as an enrolment would leave them. */
  public Issued issueClientKey(UUID agentId, Instant notBefore, Instant notAfter) throws Exception {
    KeyPair k = AgentKeys.generate();
    return new Issued(
        k.getPrivate(), issueClient(AgentKeys.csr(k, agentId), agentId, notBefore, notAfter));
  }

  /** PEM of {@code leaf} followed by this CA, as the collector sends chains. */
  public String chainPem(X509Certificate leaf) {
    return Pem.of(leaf) + pem();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }
}
