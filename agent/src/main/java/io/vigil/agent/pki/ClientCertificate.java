package io.vigil.agent.pki;

import io.vigil.common.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The agent's client certificate chain (leaf first) with its private key, as loaded from the files
 * and checked to belong together. Immutable.
 *
 * @param chain the certificates of the cert file, leaf first
 * @param key the private key of the leaf
 */
public record ClientCertificate(List<X509Certificate> chain, PrivateKey key) {
  public ClientCertificate {
    chain = List.copyOf(chain);
  }

  /** The client certificate itself. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** The agent id the certificate names (its subject CN), when that is a UUID. */
  public Optional<UUID> agentId() {
    return commonName(leaf())
        .flatMap(
            cn -> {
              try {
                return Optional.of(UUID.fromString(cn));
              } catch (IllegalArgumentException e) {
                return Optional.empty();
              }
            });
  }

  /**
   * Reads both files and checks that the key is the certificate's. Blocks on file I/O.
   *
   * @throws IOException naming the file that is missing or does not parse, or saying that key and
   *     certificate do not match
   */
  public static ClientCertificate load(Path certFile, Path keyFile) throws IOException {
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = Pem.certificates(readBounded(certFile));
    } catch (IOException e) {
      throw new IOException("client certificate " + certFile + ": " + e.getMessage(), e);
    }
    try {
      key = Pem.ecPrivateKey(readBounded(keyFile));
    } catch (IOException e) {
      throw new IOException("client key " + keyFile + ": " + e.getMessage(), e);
    }
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IOException(
          "client key "
              + keyFile
              + " does not belong to the certificate in "
              + certFile
              + " (a file copied from elsewhere, or an interrupted replacement that could not be"
              + " recovered): re-enrol with"
              + " vigil-agent enroll --force");
    }
    return new ClientCertificate(chain, key);
  }

  /** True when {@code key} signs what {@code publicKey} verifies. */
  public static boolean matches(PrivateKey key, PublicKey publicKey) {
    try {
      byte[] probe = "vigil key match".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance("SHA256withECDSA");
      v.initVerify(publicKey);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The subject CN of {@code c}. */
  public static Optional<String> commonName(X509Certificate c) {
    try {
      for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static String readBounded(Path file) throws IOException {
    if (Files.size(file) > Pem.MAX_CHARS) {
      throw new IOException("larger than " + Pem.MAX_CHARS + " bytes");
    }
    return Files.readString(file, StandardCharsets.US_ASCII);
  }
}
