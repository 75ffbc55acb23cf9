package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The collector's status text reaches the agent's log escaped, never as terminal controls. */
class ShipperStatusTextTest {
  private static final String HOSTILE = "revoked\u001b]0;owned\u0007\u001b[2K by admin";

  @Test
  void aRefusalDescriptionIsEscaped() {
    String line = Shipper.refusal(Status.PERMISSION_DENIED.withDescription(HOSTILE));
    assertEquals("collector refused this agent: revoked\\x1b]0;owned\\x07\\x1b[2K by admin", line);
  }

  @Test
  void aRefusalWithoutDescriptionNamesTheCode() {
    assertEquals(
        "collector refused this agent: UNAUTHENTICATED", Shipper.refusal(Status.UNAUTHENTICATED));
  }

  @Test
  void anEndStatusAndItsCauseAreEscaped() {
    String line =
        Shipper.describe(
            Status.UNAVAILABLE
                .withDescription(HOSTILE)
                .withCause(new RuntimeException(new SSLHandshakeException("CN=\u001b[31mx"))));
    assertFalse(line.contains("\u001b") || line.contains("\u0007"), line);
    assertTrue(line.startsWith("UNAVAILABLE revoked\\x1b]0;owned\\x07"), line);
    assertTrue(line.contains("(cause: javax.net.ssl.SSLHandshakeException: CN=\\x1b[31mx)"), line);
  }

  @Test
  void aLongDescriptionIsCut() {
    String line = Shipper.refusal(Status.PERMISSION_DENIED.withDescription("x".repeat(10_000)));
    assertTrue(line.length() < 400, "length " + line.length());
    assertTrue(line.contains("more chars]"), line);
  }
}
