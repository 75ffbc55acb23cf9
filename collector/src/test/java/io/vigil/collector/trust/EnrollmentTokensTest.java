package io.vigil.collector.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.EnrollmentTokenRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enrolment tokens: made, listed, used up, expired, revoked, and raced for. */
class EnrollmentTokensTest {
  @TempDir Path dir;

  private final MetricsRegistry metrics = new MetricsRegistry();

  private TrustFixture fixture() throws Exception {
    return new TrustFixture(dir, metrics, (id, why) -> {});
  }

  private static Enrollments.Request request(String token) throws Exception {
    return new Enrollments.Request(
        token, Csrs.csr(Csrs.p256()), UUID.randomUUID().toString(), "h", "1.0", "test-peer");
  }

  private static EnrollmentRefusedException refused(TrustFixture f, String token) throws Exception {
    Enrollments.Request r = request(token);
    return assertThrows(EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(r));
  }

  @Test
  void aTokenHasTheAgreedFormAndOnlyItsHashIsStored() throws Exception {
    try (TrustFixture f = fixture()) {
      TrustAdmin.CreatedToken t =
          f.trust.createEnrollmentToken("alice", Duration.ofHours(24), 3, "rack 4");
      assertTrue(t.token().matches("vigil-enroll-[A-Za-z0-9_-]{43}"), t.token());
      assertTrue(t.record().getTokenId().matches("[0-9a-f]{12}"), t.record().getTokenId());
      assertEquals(3, t.record().getUsesLeft());
      assertEquals(
          Duration.ofHours(24).toNanos(), t.record().getExpiresNs() - t.record().getCreatedNs());
      List<EnrollmentTokenRecord> listed = f.trust.enrollmentTokens();
      assertEquals(List.of(t.record()), listed);
      String secretPart = t.token().substring("vigil-enroll-".length());
      for (Path p : List.of(f.db, Path.of(f.db + "-wal"))) {
        if (Files.exists(p)) {
          assertFalse(
              new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)
                  .contains(secretPart),
              "the secret is in " + p);
        }
      }
      assertEquals(
          f.trust.caFingerprint(), io.vigil.common.pki.Fingerprint.sha256(f.ca.certificate()));
    }
  }

  @Test
  void ttlAndUsesOutOfRangeAreRefusedNamingTheArgument() throws Exception {
    try (TrustFixture f = fixture()) {
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> f.trust.createEnrollmentToken("a", Duration.ofSeconds(59), 1, ""))
              .getMessage()
              .startsWith("ttl "));
      assertThrows(
          IllegalArgumentException.class,
          () -> f.trust.createEnrollmentToken("a", Duration.ofDays(31), 1, ""));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> f.trust.createEnrollmentToken("a", Duration.ofDays(1), 0, ""))
              .getMessage()
              .startsWith("uses "));
      assertThrows(
          IllegalArgumentException.class,
          () -> f.trust.createEnrollmentToken("a", Duration.ofDays(1), 100_001, ""));
      f.trust.createEnrollmentToken("a", Duration.ofMinutes(1), 100_000, "");
      f.trust.createEnrollmentToken("a", Duration.ofDays(30), 1, "");
    }
  }

  @Test
  void aTokenIsUsedUpAfterItsUses() throws Exception {
    try (TrustFixture f = fixture()) {
      String token = f.token(2);
      f.trust.enrollments().enrol(request(token));
      f.trust.enrollments().enrol(request(token));
      EnrollmentRefusedException e = refused(f, token);
      assertEquals(EnrollmentRefusedException.Kind.TOKEN, e.kind());
      assertEquals(Enrollments.TOKEN_REFUSED, e.getMessage());
      assertEquals(0, f.trust.enrollmentTokens().get(0).getUsesLeft());
      assertEquals(
          1, metrics.value("vigil_collector_enrollments_total", "outcome", "token_used_up"));
    }
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    try (TrustFixture f = fixture()) {
      String token = f.trust.createEnrollmentToken("a", Duration.ofMinutes(5), 10, "").token();
      f.clock.advance(Duration.ofMinutes(5));
      assertEquals(Enrollments.TOKEN_REFUSED, refused(f, token).getMessage());
      assertEquals(
          1, metrics.value("vigil_collector_enrollments_total", "outcome", "token_expired"));
      assertEquals(10, f.trust.enrollmentTokens().get(0).getUsesLeft());
    }
  }

  @Test
  void aRevokedTokenIsRefusedAndRevokingTwiceChangesNothing() throws Exception {
    try (TrustFixture f = fixture()) {
      TrustAdmin.CreatedToken t = f.trust.createEnrollmentToken("a", Duration.ofDays(1), 10, "");
      assertTrue(f.trust.revokeEnrollmentToken(t.record().getTokenId()));
      assertFalse(f.trust.revokeEnrollmentToken(t.record().getTokenId()));
      assertThrows(
          NoSuchElementException.class, () -> f.trust.revokeEnrollmentToken("000000000000"));
      assertEquals(Enrollments.TOKEN_REFUSED, refused(f, t.token()).getMessage());
      assertEquals(
          1, metrics.value("vigil_collector_enrollments_total", "outcome", "token_revoked"));
      assertTrue(f.trust.enrollmentTokens().get(0).getRevokedNs() > 0);
    }
  }

  @Test
  void anUnknownTokenIsRefusedWithTheSameDescription() throws Exception {
    try (TrustFixture f = fixture()) {
      EnrollmentRefusedException e = refused(f, "vigil-enroll-" + "A".repeat(43));
      assertEquals(Enrollments.TOKEN_REFUSED, e.getMessage());
      assertEquals(
          1, metrics.value("vigil_collector_enrollments_total", "outcome", "token_unknown"));
    }
  }

  @Test
  void severalThreadsRacingForAOneUseTokenGiveExactlyOneEnrolment() throws Exception {
    try (TrustFixture f = fixture()) {
      String token = f.token(1);
      int threads = 8;
      List<Enrollments.Request> requests = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        requests.add(request(token));
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (Enrollments.Request r : requests) {
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    try {
                      f.trust.enrollments().enrol(r);
                      return true;
                    } catch (EnrollmentRefusedException e) {
                      assertEquals(EnrollmentRefusedException.Kind.TOKEN, e.kind());
                      return false;
                    }
                  }));
        }
        start.countDown();
        int ok = 0;
        for (Future<Boolean> r : results) {
          ok += r.get(60, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertEquals(1, ok);
        assertEquals(1, f.trust.enrolledAgents().size());
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void enrolmentAttemptsOverTheConfiguredRateAreRefused() throws Exception {
    try (TrustFixture f =
        new TrustFixture(
            dir,
            metrics,
            (id, why) -> {},
            new io.vigil.collector.config.EnrollmentSection(Duration.ofDays(1), 2))) {
      refused(f, "x");
      refused(f, "y");
      EnrollmentRefusedException e = refused(f, f.token(1));
      assertEquals(EnrollmentRefusedException.Kind.TOO_MANY, e.kind());
      f.clock.advance(Duration.ofSeconds(61));
      f.trust.enrollments().enrol(request(f.token(1)));
    }
  }

  @Test
  void oversizedFieldsAreRefusedBeforeTheTokenIsLookedAt() throws Exception {
    try (TrustFixture f = fixture()) {
      String token = f.token(1);
      Enrollments.Request longHost =
          new Enrollments.Request(
              token, Csrs.csr(Csrs.p256()), "", "h".repeat(256), "1.0", "test-peer");
      EnrollmentRefusedException e =
          assertThrows(
              EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(longHost));
      assertEquals(EnrollmentRefusedException.Kind.INVALID, e.kind());
      assertEquals("hostname is longer than 255 characters", e.getMessage());
      Enrollments.Request longToken =
          new Enrollments.Request(
              "t".repeat(257), Csrs.csr(Csrs.p256()), "", "h", "1.0", "test-peer");
      assertEquals(
          "token is longer than 256 characters",
          assertThrows(
                  EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(longToken))
              .getMessage());
      assertEquals(1, f.trust.enrollmentTokens().get(0).getUsesLeft());
    }
  }

  private static Enrollments.Request from(String token, String peer) throws Exception {
    return new Enrollments.Request(
        token, Csrs.csr(Csrs.p256()), UUID.randomUUID().toString(), "h", "1.0", peer);
  }

  @Test
  void oneAddressUsesAtMostAQuarterOfTheMinuteAndOthersStillEnrol() throws Exception {
    try (TrustFixture f =
        new TrustFixture(
            dir,
            metrics,
            (id, why) -> {},
            new io.vigil.collector.config.EnrollmentSection(Duration.ofDays(1), 8))) {
      String token = f.token(100);
      for (int i = 0; i < 2; i++) {
        f.trust.enrollments().enrol(from(token, "/192.0.2.7:" + (40000 + i)));
      }
      Enrollments.Request third = from(token, "/192.0.2.7:40002");
      EnrollmentRefusedException e =
          assertThrows(EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(third));
      assertEquals(EnrollmentRefusedException.Kind.TOO_MANY, e.kind());
      assertEquals(
          "too many enrolment attempts from this address; retry in a minute", e.getMessage());
      assertEquals(
          1, metrics.value("vigil_collector_enrollments_total", "outcome", "too_many_from_peer"));
      // Its refusals took nothing from the others.
      for (int i = 0; i < 10; i++) {
        Enrollments.Request more = from(token, "/192.0.2.7:40003");
        assertThrows(EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(more));
      }
      for (int host = 1; host <= 3; host++) {
        for (int i = 0; i < 2; i++) {
          f.trust.enrollments().enrol(from(token, "/[2001:db8::" + host + "]:5000" + i));
        }
      }
      EnrollmentRefusedException all =
          assertThrows(
              EnrollmentRefusedException.class,
              () -> f.trust.enrollments().enrol(from(token, "/198.51.100.1:1")));
      assertEquals("too many enrolment attempts; retry in a minute", all.getMessage());
      f.clock.advance(Duration.ofSeconds(61));
      f.trust.enrollments().enrol(from(token, "/192.0.2.7:40004"));
    }
  }

  @Test
  void oversizedRequestsTakeNoAttempt() throws Exception {
    try (TrustFixture f =
        new TrustFixture(
            dir,
            metrics,
            (id, why) -> {},
            new io.vigil.collector.config.EnrollmentSection(Duration.ofDays(1), 4))) {
      for (int i = 0; i < 20; i++) {
        Enrollments.Request big =
            new Enrollments.Request(
                "t".repeat(257), Csrs.csr(Csrs.p256()), "", "h", "1.0", "/192.0.2.9:1");
        assertEquals(
            EnrollmentRefusedException.Kind.INVALID,
            assertThrows(EnrollmentRefusedException.class, () -> f.trust.enrollments().enrol(big))
                .kind());
      }
      f.trust.enrollments().enrol(from(f.token(1), "/192.0.2.9:2"));
    }
  }

  @Test
  void aTokenNoteWithControlCharactersIsRefused() throws Exception {
    try (TrustFixture f = fixture()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> f.trust.createEnrollmentToken("alice", Duration.ofDays(1), 1, "rack\r4"));
      assertTrue(e.getMessage().startsWith("note must not contain control"), e.getMessage());
      assertTrue(f.trust.enrollmentTokens().isEmpty());
    }
  }
}
