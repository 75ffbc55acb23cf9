package io.vigil.agent.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.pki.Pem;
import io.vigil.proto.v1.RenewRequest;
import io.vigil.proto.v1.RenewResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renewal decisions and file handling, with an injected clock and no transport. */
class CertificateRenewalTest {
  @TempDir Path dir;

  private final UUID id = UUID.randomUUID();
  private final MutableClock clock = new MutableClock(Instant.now());
  private TestCa ca;
  private Instant t0;
  private EnrolmentFiles files;

  @BeforeEach
  void enrol() throws Exception {
    ca = TestCa.create("renewal CA");
    t0 = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    TestCa.Issued first = ca.issueClientKey(id, t0, t0.plusSeconds(30));
    files = EnrolmentFiles.under(dir);
    files.write(
        first.keyPem(),
        ca.chainPem(first.certificate()),
        ca.pem(),
        new io.vigil.common.config.HostPort("127.0.0.1", 7443));
  }

  private CertificateRenewal started() throws IOException {
    CertificateRenewal r = new CertificateRenewal(files.certificate(), files.key(), clock);
    r.sessionStarted(ClientCertificate.load(files.certificate(), files.key()));
    return r;
  }

  @Test
  void asksOnlyOnceTwoThirdsOfTheLifetimeHavePassedAndOneAtATime() throws Exception {
    clock.set(t0.plusSeconds(10));
    CertificateRenewal r = started();
    assertEquals(Optional.empty(), r.poll());
    clock.set(t0.plusSeconds(20));
    RenewRequest req = r.poll().orElseThrow();
    assertTrue(r.outstanding());
    assertEquals(Optional.empty(), r.poll(), "one request outstanding at a time");
    JcaPKCS10CertificationRequest csr =
        new JcaPKCS10CertificationRequest(
            new PKCS10CertificationRequest(req.getCsr().toByteArray()));
    assertNotEquals(
        ClientCertificate.load(files.certificate(), files.key()).leaf().getPublicKey(),
        csr.getPublicKey(),
        "a renewal asks for a NEW key");
    assertTrue(csr.getSubject().toString().contains("CN=" + id), csr.getSubject().toString());
  }

  @Test
  void aNewCertificateReplacesKeyAndCertificate() throws Exception {
    clock.set(t0.plusSeconds(21));
    CertificateRenewal r = started();
    RenewRequest req = r.poll().orElseThrow();
    X509Certificate renewed =
        ca.issueClient(
            req.getCsr().toByteArray(), id, t0.plusSeconds(20), t0.plus(Duration.ofHours(1)));
    assertTrue(
        r.accept(RenewResponse.newBuilder().setCertificateChainPem(ca.chainPem(renewed)).build()));
    ClientCertificate now = ClientCertificate.load(files.certificate(), files.key());
    assertEquals(renewed, now.leaf());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.key())));
    assertEquals(1, r.renewedCount());
    assertEquals(Optional.empty(), r.poll(), "the new certificate is not due");
  }

  @Test
  void anErrorIsRetriedAfterATwentiethOfTheLifetime() throws Exception {
    clock.set(t0.plusSeconds(20));
    CertificateRenewal r = started();
    r.poll().orElseThrow();
    String before = Files.readString(files.certificate());
    assertFalse(r.accept(RenewResponse.newBuilder().setError("renewing too often").build()));
    assertEquals(before, Files.readString(files.certificate()));
    clock.set(t0.plusSeconds(21));
    assertEquals(Optional.empty(), r.poll(), "30 s / 20 = 1.5 s later, not before");
    clock.set(t0.plusMillis(21_500));
    assertTrue(r.poll().isPresent());
  }

  @Test
  void aCertificateForAnotherKeyIsNotWritten() throws Exception {
    clock.set(t0.plusSeconds(20));
    CertificateRenewal r = started();
    r.poll().orElseThrow();
    TestCa.Issued other = ca.issueClientKey(id, t0, t0.plus(Duration.ofHours(1)));
    String before = Files.readString(files.certificate());
    assertFalse(
        r.accept(
            RenewResponse.newBuilder()
                .setCertificateChainPem(ca.chainPem(other.certificate()))
                .build()));
    assertEquals(before, Files.readString(files.certificate()));
  }

  @Test
  void anExpiredCertificateIsNotRenewed() throws Exception {
    clock.set(t0.plusSeconds(31));
    assertEquals(Optional.empty(), started().poll());
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsNamedAsSuch() throws Exception {
    Files.writeString(files.key(), Pem.of(AgentKeys.generate().getPrivate()));
    IOException e =
        assertThrows(
            IOException.class, () -> ClientCertificate.load(files.certificate(), files.key()));
    assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
