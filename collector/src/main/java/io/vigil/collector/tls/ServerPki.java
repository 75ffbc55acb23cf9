package io.vigil.collector.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's TLS files: CA certificate and key, server certificate and key. Missing files are
 * generated at start; a server certificate that lacks a configured name is re-issued from the CA.
 * Keys are written with mode 0600.
 */
public final class ServerPki {
  private static final Logger log = LoggerFactory.getLogger(ServerPki.class);
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration SERVER_VALIDITY = Duration.ofDays(825);

  /** Where the files live. */
  public record Paths(Path caCert, Path caKey, Path serverCert, Path serverKey) {}

  private ServerPki() {}

  /**
   * Makes sure all four files exist and the server certificate covers {@code extraNames} and the
   * local names (localhost, 127.0.0.1, ::1, this host's name).
   *
   * @return the paths, ready for {@code TlsServerCredentials}
   */
  public static Paths ensure(Paths p, List<String> extraNames) throws IOException {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    String host = localHost();
    if (!host.isEmpty()) {
      names.add(host);
    }
    names.addAll(extraNames);

    CertificateAuthority ca = null;
    if (!Files.exists(p.caCert())) {
      if (Files.exists(p.serverCert())) {
        // A server certificate without its CA cannot be checked or renewed; keep it, it was put
        // there on purpose (an operator's own PKI).
        return p;
      }
      ca = CertificateAuthority.create("Vigil collector CA " + host, CA_VALIDITY);
      write(p.caKey(), CertificateAuthority.pem(ca.privateKey()), true);
      write(p.caCert(), CertificateAuthority.pem(ca.certificate()), false);
      log.info("created collector CA {} (agents trust this file)", p.caCert());
    }
    if (Files.exists(p.serverCert()) && covers(readCertificate(p.serverCert()), names)) {
      return p;
    }
    if (ca == null) {
      if (!Files.exists(p.caKey())) {
        throw new IOException(
            "server certificate "
                + p.serverCert()
                + " is missing or lacks a configured name, and the CA key "
                + p.caKey()
                + " needed to issue one is absent");
      }
      X509Certificate caCert = readCertificate(p.caCert());
      ca =
          new CertificateAuthority(
              new KeyPair(caCert.getPublicKey(), readPrivateKey(p.caKey())), caCert);
    }
    CertificateAuthority.Issued server =
        ca.issueServer("vigil-collector", new ArrayList<>(names), SERVER_VALIDITY);
    write(p.serverKey(), CertificateAuthority.pem(server.key()), true);
    write(
        p.serverCert(),
        CertificateAuthority.pem(server.certificate()) + CertificateAuthority.pem(ca.certificate()),
        false);
    log.info("issued collector server certificate {} for {}", p.serverCert(), names);
    return p;
  }

  /**
   * Loads the CA (certificate and key) that {@link #ensure} made, to issue agent certificates. A CA
   * key readable by group or others is made owner-only (0600) again, with a warning: whoever holds
   * it can make agent certificates.
   *
   * @throws IOException when either file is missing or does not parse
   */
  public static CertificateAuthority loadAuthority(Paths p) throws IOException {
    if (!Files.exists(p.caKey())) {
      throw new IOException(
          "the CA key "
              + p.caKey()
              + " is missing: the collector issues agent certificates with it (with an operator's"
              + " own server certificate and no CA key, agents cannot enrol)");
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p.caKey());
    if (!mode.equals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
        && !mode.equals(EnumSet.of(PosixFilePermission.OWNER_READ))) {
      log.warn(
          "CA key {} had mode {}; set to rw------- (whoever reads it can make agent certificates)",
          p.caKey(),
          PosixFilePermissions.toString(mode));
      Files.setPosixFilePermissions(p.caKey(), PosixFilePermissions.fromString("rw-------"));
    }
    X509Certificate caCert = readCertificate(p.caCert());
    return new CertificateAuthority(
        new KeyPair(caCert.getPublicKey(), readPrivateKey(p.caKey())), caCert);
  }

  static boolean covers(X509Certificate cert, Set<String> names) throws IOException {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      Set<String> have = new LinkedHashSet<>();
      if (sans != null) {
        for (List<?> san : sans) {
          have.add(String.valueOf(san.get(1)));
        }
      }
      for (String n : names) {
        if (!have.contains(n) && !have.contains(normaliseIp(n))) {
          return false;
        }
      }
      return cert.getNotAfter().getTime() > System.currentTimeMillis();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read names of " + cert.getSubjectX500Principal(), e);
    }
  }

  private static String normaliseIp(String n) {
    // X509Certificate reports IPv6 SANs in full form (0:0:0:0:0:0:0:1).
    if (!CertificateAuthority.isIpLiteral(n)) {
      return n;
    }
    try {
      return InetAddress.getByName(n).getHostAddress();
    } catch (IOException e) {
      return n;
    }
  }

  /** Reads the first certificate of a PEM file. */
  public static X509Certificate readCertificate(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException e) {
      throw new IOException("not a PEM certificate: " + file, e);
    }
  }

  static PrivateKey readPrivateKey(Path file) throws IOException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(body);
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IOException("not a PKCS#8 EC private key: " + file, e);
    }
  }

  private static void write(Path file, String text, boolean secret) throws IOException {
    PemFiles.write(file, text, secret);
  }

  /** This host's name, or "" when it does not resolve (a common misconfiguration). */
  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "";
    }
  }
}
