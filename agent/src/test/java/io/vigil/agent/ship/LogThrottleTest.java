package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  @Test
  void aRepeatPassesOncePerIntervalAndANewMessageAtOnce() {
    LogThrottle t = new LogThrottle(Duration.ofMinutes(1));
    assertTrue(t.admit("refused: revoked", 0));
    assertFalse(t.admit("refused: revoked", 1));
    assertFalse(t.admit("refused: revoked", MINUTE - 1));
    assertTrue(t.admit("refused: expired", MINUTE - 1), "another reason is news");
    assertEquals(2, t.takeSuppressed());
    assertTrue(t.admit("refused: expired", 2 * MINUTE));
    assertEquals(0, t.takeSuppressed());
  }

  @Test
  void refusalsAreTheTwoAuthenticationStatuses() {
    assertTrue(Shipper.isRefusal(Status.UNAUTHENTICATED));
    assertTrue(Shipper.isRefusal(Status.PERMISSION_DENIED));
    assertFalse(Shipper.isRefusal(Status.UNAVAILABLE));
  }

  @Test
  void aHandshakeFailureIsDescribedByItsCause() {
    Status s =
        Status.UNAVAILABLE
            .withDescription("io exception")
            .withCause(
                new RuntimeException(
                    "wrapper", new SSLHandshakeException("PKIX path building failed")));
    String d = Shipper.describe(s);
    assertTrue(d.contains("UNAVAILABLE io exception"), d);
    assertTrue(d.contains("SSLHandshakeException: PKIX path building failed"), d);
  }
}
