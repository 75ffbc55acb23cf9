package io.vigil.agent.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalScheduleTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void renewalIsDueTwoThirdsIntoTheLifetime() {
    RenewalSchedule s = new RenewalSchedule(T0, T0.plus(Duration.ofDays(30)));
    assertEquals(T0.plus(Duration.ofDays(20)), s.renewAt());
    assertEquals(RenewalSchedule.Decision.WAIT, s.decide(T0));
    assertEquals(
        RenewalSchedule.Decision.WAIT, s.decide(T0.plus(Duration.ofDays(20)).minusMillis(1)));
    assertEquals(RenewalSchedule.Decision.RENEW, s.decide(T0.plus(Duration.ofDays(20))));
    assertEquals(
        RenewalSchedule.Decision.RENEW, s.decide(T0.plus(Duration.ofDays(30)).minusMillis(1)));
    assertEquals(RenewalSchedule.Decision.EXPIRED, s.decide(T0.plus(Duration.ofDays(30))));
    assertEquals(Duration.ofMinutes(1), s.checkInterval(), "at least once a minute");
    assertEquals(Duration.ofHours(36), s.retryAfterError(), "a twentieth of the lifetime");
  }

  @Test
  void shortLifetimesAreCheckedTenTimesPerLifetime() {
    RenewalSchedule s = new RenewalSchedule(T0, T0.plusSeconds(30));
    assertEquals(T0.plusSeconds(20), s.renewAt());
    assertEquals(Duration.ofSeconds(3), s.checkInterval());
    assertEquals(Duration.ofMillis(1500), s.retryAfterError());
    RenewalSchedule tiny = new RenewalSchedule(T0, T0.plusMillis(500));
    assertEquals(Duration.ofMillis(100), tiny.checkInterval(), "never below 100 ms");
    RenewalSchedule broken = new RenewalSchedule(T0, T0.minusSeconds(1));
    assertEquals(RenewalSchedule.Decision.EXPIRED, broken.decide(T0));
  }
}
