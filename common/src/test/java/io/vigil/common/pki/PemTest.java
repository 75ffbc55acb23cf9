package io.vigil.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {
  // Made once with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
  // -subj /CN=vigil-test -days 36500 (a throwaway key, for these tests only).
  static final String CERT =
      """
          -----BEGIN CERTIFICATE-----
          MIIBgDCCASegAwIBAgIUHAssTfJrh4HYR3kNJj17LYKCeH0wCgYIKoZIzj0EAwIw
          FTETMBEGA1UEAwwKdmlnaWwtdGVzdDAgFw0yNjExMjgxNTQ1NTFaGA8yMTI2MTEw
          NDE1NDU1MVowFTETMBEGA1UEAwwKdmlnaWwtdGVzdDBZMBMGByqGSM49AgEGCCqG
          SM49AwEHA0IABKCPUH4+TlSsoAvW/76ZsOe4yMtOAZhUnah/n87+PmblPqNuU1Jo
          sbittDK3c6Bl8cQpLWc31Ttf3pBpmisfGeijUzBRMB0GA1UdDgQWBBQGzW83/nNt
          JMYFtXDtJ9GowoACDjAfBgNVHSMEGDAWgBQGzW83/nNtJMYFtXDtJ9GowoACDjAP
          BgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICfHMNSo+cebYKsBvKbZ
          H+ASUveLW80MrqCyEucWNg7OAiAJ4WhqoSy1LzqaJdDODbVDwADZozQw+OIoDXsX
          iVULig==
          -----END CERTIFICATE-----
      """;

  static final String KEY =
      """
          -----BEGIN PRIVATE KEY-----
          MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyBtcN2QLFrOWajMU
          UvwBkDxjBpFW+3vPZVELpZQBe8WhRANCAASgj1B+Pk5UrKAL1v++mbDnuMjLTgGY
          VJ2of5/O/j5m5T6jblNSaLG4rbQyt3OgZfHEKS1nN9U7X96QaZorHxno
          -----END PRIVATE KEY-----
      """;

  /** openssl x509 -noout -fingerprint -sha256 of CERT. */
  static final String OPENSSL_FINGERPRINT =
      "F1:FD:7C:13:FB:DC:83:E0:5D:D0:97:90:AD:21:E6:00:42:D1:AD:E9:51:F8:6D:0C:11:6C:F3:80:7F:3C:48:A9";

  @Test
  void certificatesAndKeysRoundTripThroughPemText() throws IOException {
    List<X509Certificate> certs = Pem.certificates(CERT + CERT);
    assertEquals(2, certs.size());
    assertEquals("CN=vigil-test", certs.get(0).getSubjectX500Principal().getName());
    X509Certificate again = Pem.certificates(Pem.of(certs.get(0))).get(0);
    assertEquals(certs.get(0), again);

    PrivateKey key = Pem.ecPrivateKey(KEY);
    assertEquals("EC", key.getAlgorithm());
    assertEquals(key, Pem.ecPrivateKey(Pem.of(key)));
    assertTrue(Pem.of(key).startsWith("-----BEGIN PRIVATE KEY-----\n"));
  }

  @Test
  void badPemTextIsRefusedWithAReason() {
    assertTrue(
        assertThrows(IOException.class, () -> Pem.certificates("hello"))
            .getMessage()
            .contains("no CERTIFICATE"));
    assertThrows(IOException.class, () -> Pem.certificates("x".repeat(Pem.MAX_CHARS + 1)));
    assertThrows(
        IOException.class,
        () -> Pem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"));
    assertThrows(IOException.class, () -> Pem.ecPrivateKey(CERT));
  }

  @Test
  void fingerprintsMatchOpensslInEverySpelling() throws IOException {
    X509Certificate cert = Pem.certificates(CERT).get(0);
    String fp = Fingerprint.sha256(cert);
    assertEquals(64, fp.length());
    assertEquals(fp, Fingerprint.normalise(OPENSSL_FINGERPRINT));
    assertEquals(fp, Fingerprint.normalise("sha256 Fingerprint=" + OPENSSL_FINGERPRINT));
    assertEquals(fp, Fingerprint.normalise("SHA256:" + fp.toUpperCase(java.util.Locale.ROOT)));
    assertTrue(Fingerprint.same(fp, OPENSSL_FINGERPRINT));
    assertFalse(Fingerprint.same(fp, "00".repeat(32)));
    assertFalse(Fingerprint.same(fp, "not hex"));
    assertThrows(IllegalArgumentException.class, () -> Fingerprint.normalise("abcd"));
  }
}
